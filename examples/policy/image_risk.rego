# Policy for Conftest (or OPA) over a Terraform JSON plan: deny a plan in
# which a sas_image_instances data source found a risky or never-scanned
# image, a sas_image_vulnerabilities data source found an urgent
# vulnerability that has a fix, a sas_image_sensitive_files data source
# found an unprocessed high or medium secret, a sas_image_malicious_files
# data source found a serious or suspicious malicious file still to be
# dealt with, a sas_image_gate data source did not pass, or any of them
# could not be read at plan time.
#
#   terraform plan -out=tfplan
#   terraform show -json tfplan > tfplan.json
#   conftest test --policy examples/policy tfplan.json
#
# A data source appears in one of two places of the plan:
#
#   - read during plan (its arguments were known): its result is in
#     prior_state.values.root_module, or in child_modules (at any depth) for a
#     data source inside a module. The rules below check that result.
#   - read during apply (an argument depends on a value known only after
#     apply, such as an attribute of a resource that is not created yet): it
#     is a resource_changes entry with mode "data" and actions ["read"], and
#     its result does not exist yet. The policy cannot see the image's risk,
#     so it denies, unless the data document sets allow_deferred_reads to
#     true (conftest test --data allow.json, with allow.json holding
#     {"allow_deferred_reads": true}); a postcondition on the data source
#     then has to be the gate, since it runs when the data source is read.
#
# A data source nested in a check block is planned as a read on every plan,
# with action_reason "read_because_check_nested", but its result is already
# known: the policy checks that result like any other.
#
# Written in Rego v1 syntax; the rego.v1 import lets older Conftest releases
# that still default to v0 parse it too.
package main

import rego.v1

image_type := "sas_image_instances"

vulnerability_type := "sas_image_vulnerabilities"

sensitive_type := "sas_image_sensitive_files"

malicious_type := "sas_image_malicious_files"

gate_type := "sas_image_gate"

gated_types := {image_type, vulnerability_type, sensitive_type, malicious_type, gate_type}

# allow_deferred_reads: accept plans whose image lookups only happen during
# apply (the default is to deny them: the image's risk is unknown).
default deferred_reads_allowed := false

deferred_reads_allowed if data.allow_deferred_reads == true

# Reads planned for apply, by address. A read whose result is already known
# (a data source nested in a check block) is not deferred.
planned_reads[change.address] := change if {
	some change in input.resource_changes
	change.mode == "data"
	change.type in gated_types
	change.change.actions == ["read"]
}

deferred_reads[address] := change if {
	some address, change in planned_reads
	has_unknown_result(change)
}

# Whether some attribute of the read's result is unknown until apply. (This
# also tells a check block read from a deferred one where the plan has no
# action_reason.)
has_unknown_result(change) if {
	walk(object.get(change.change, "after_unknown", {}), [_, unknown])
	unknown == true
}

# Results known at plan time, as {address, type, values}: every gated data
# source in the prior state, in the root module or any child module, that
# is not read again during apply...
results contains {"address": resource.address, "type": resource.type, "values": resource.values} if {
	some path, resource
	walk(object.get(input, ["prior_state", "values", "root_module"], {}), [path, resource])
	count(path) >= 2
	path[count(path) - 2] == "resources"
	resource.mode == "data"
	resource.type in gated_types
	not planned_reads[resource.address]
}

# ...and every check block read, whose planned result is already known.
results contains {"address": address, "type": change.type, "values": change.change.after} if {
	some address, change in planned_reads
	not deferred_reads[address]
}

image_results contains result if {
	some result in results
	result.type == image_type
}

vulnerability_results contains result if {
	some result in results
	result.type == vulnerability_type
}

results_of(type) := {result | some result in results; result.type == type}

deny contains msg if {
	some result in image_results
	names := {image_name(image) | some image in images(result.values); image.risk_status == "YES"}
	risky := max({object.get(result.values, ["summary", "risky"], 0), count(names)})
	risky > 0
	msg := sprintf("%s: %d risky image(s) (risk_status YES): %s", [result.address, risky, listing(names)])
}

deny contains msg if {
	some result in image_results
	names := {image_name(image) | some image in images(result.values); not scanned(image)}
	not_scanned := max({object.get(result.values, ["summary", "not_scanned"], 0), count(names)})
	not_scanned > 0
	msg := sprintf("%s: %d image(s) never successfully scanned, so their risk is unknown: %s", [result.address, not_scanned, listing(names)])
}

deny contains msg if {
	some address, change in deferred_reads
	not deferred_reads_allowed
	msg := sprintf("%s: image risk unknown until apply: the data source is read during apply%s, so this plan does not show which image it finds. Make its arguments known at plan time, or set allow_deferred_reads and gate with a postcondition on the data source.", [address, reason(change)])
}

warn contains msg if {
	some address, change in deferred_reads
	deferred_reads_allowed
	msg := sprintf("%s: image risk unknown until apply%s; allowed by allow_deferred_reads, so only a postcondition on the data source can stop a risky image.", [address, reason(change)])
}

warn contains msg if {
	some result in image_results
	object.get(result.values, ["summary", "images"], 0) == 0
	msg := sprintf("%s: matched no image, so there was nothing to check.", [result.address])
}

# The strict gate people keep switched on: no urgent (asap) vulnerability
# that has a fix. Vulnerability rows say nothing about images never
# scanned: pair this rule with a sas_image_instances lookup, whose
# never-scanned rule above fails closed.
deny contains msg if {
	some result in vulnerability_results
	urgent := object.get(result.values, ["summary", "asap_fixable"], 0)
	urgent > 0
	names := {v.name | some v in object.get(result.values, "vulnerabilities", []); v.necessity == "asap"; v.can_fix == true}
	msg := sprintf("%s: %d urgent (asap) vulnerabilities have a fix: %s", [result.address, urgent, first_names(names)])
}

# Secrets baked into an image: any unprocessed high or medium secret type.
# The rule reads the types' keys and counts only, never their files: the
# files hold the service's masked excerpt of each secret (see the README).
# No secret types says nothing about an image never scanned: pair this
# rule with a lookup, whose never-scanned rule fails closed.
deny contains msg if {
	some result in results_of(sensitive_type)
	keys := {t.key | some t in object.get(result.values, "sensitive_files", []); t.risk_level in {"high", "medium"}; unprocessed(t)}
	count(keys) > 0
	msg := sprintf("%s: %d unprocessed high or medium secret type(s) baked into the image: %s", [result.address, count(keys), first_names(keys)])
}

# Malware: any serious or suspicious malicious file neither handled nor
# whitelisted (verifying counts, failing closed).
deny contains msg if {
	some result in results_of(malicious_type)
	files := {sprintf("%v (%v)", [f.path, object.get(f, "name", null)]) |
		some f in object.get(result.values, "malicious_files", [])
		f.level in {"serious", "suspicious"}
		not f.status in {"handled", "whitelisted"}
	}
	count(files) > 0
	msg := sprintf("%s: %d serious or suspicious malicious file(s): %s", [result.address, count(files), first_names(files)])
}

# The typed release gate: deny whatever it found, listing its violations.
deny contains msg if {
	some result in results_of(gate_type)
	result.values.passed == false
	found := {sprintf("%v %v %v", [v.kind, v.image_reference, v.id]) | some v in object.get(result.values, "violations", [])}
	msg := sprintf("%s: the release gate did not pass, %d violation(s): %s", [result.address, count(result.values.violations), first_names(found)])
}

# unprocessed: a secret type with findings not handled; an unknown count
# reads as unprocessed unless the type's status says handled.
unprocessed(t) if t.unprocessed_count > 0

unprocessed(t) if {
	t.unprocessed_count == null
	t.status != "handled"
}

images(values) := [image | some image in object.get(values, "images", [])]

# Scanned means a scan finished: SUCCESS and a scan time. A never-scanned
# image has zero counts and risk_status NO, which means unknown, not safe.
scanned(image) if {
	image.sca_status == "SUCCESS"
	image.last_scanned_at != null
}

image_name(image) := sprintf("%v:%v", [image.repo_name, image.tag])

listing(names) := concat(", ", sort(names)) if count(names) > 0

# Up to five names, sorted, and how many more.
first_names(names) := concat(", ", sort(names)) if count(names) <= 5

first_names(names) := sprintf("%s and %d more", [concat(", ", array.slice(sort(names), 0, 5)), count(names) - 5]) if count(names) > 5

listing(names) := "names not in the plan (summary_only)" if count(names) == 0

# Why Terraform defers the read, such as " (read_because_config_unknown)";
# empty when the plan does not say.
reason(change) := sprintf(" (%s)", [change.action_reason]) if change.action_reason

reason(change) := "" if not change.action_reason
