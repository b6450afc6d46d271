package provider

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// sas_image_gate read in-process against the fake (readDirect), so that
// its warnings are seen, and through Terraform. The verdicts expected are
// worked out by gateOracle from the fake's accessors and the spec of the
// gate, never from the gate's own output.

// gateArgs is a configuration of sas_image_gate in plain Go: strings,
// bools, float64s, []any and map[string]any by attribute name; what is
// not set is null.
type gateArgs map[string]any

// readGateDirect reads a gate in-process with the provider's default
// max_concurrency; the model is nil when the read failed.
func readGateDirect(t *testing.T, endpoint string, args gateArgs) (diag.Diagnostics, *imageGateModel) {
	t.Helper()
	diags, state := readGateState(t, endpoint, args)
	if diags.HasError() {
		if !state.Raw.IsNull() {
			t.Fatalf("a failed read wrote a state: %v", state.Raw)
		}
		return diags, nil
	}
	var m imageGateModel
	if d := state.Get(t.Context(), &m); d.HasError() {
		t.Fatalf("reading the state back: %v", d)
	}
	return diags, &m
}

// readGateState is readGateDirect's read, with the state as written.
func readGateState(t *testing.T, endpoint string, args gateArgs) (diag.Diagnostics, tfsdk.State) {
	t.Helper()
	ds := NewImageGateDataSource()
	var schemaResp datasource.SchemaResponse
	ds.Schema(t.Context(), datasource.SchemaRequest{}, &schemaResp)
	object := schemaResp.Schema.Type().TerraformType(t.Context()).(tftypes.Object)
	config := map[string]tftypes.Value{}
	for name, v := range args {
		typ, ok := object.AttributeTypes[name]
		if !ok {
			t.Fatalf("sas_image_gate has no attribute %q", name)
		}
		config[name] = tfValueOf(t, typ, v)
	}
	return readDirect(t, ds, endpoint, 10, config)
}

// requireNoGateDiagnostics fails on any diagnostic.
func requireNoGateDiagnostics(t *testing.T, diags diag.Diagnostics) {
	t.Helper()
	if len(diags) > 0 {
		t.Fatalf("diagnostics %v, want none", diags)
	}
}

// ---- the oracle ----

// gateOracle is the gate's spec over the fake's data: which findings of
// which images violate a policy, and in which order.
type gateOracle struct {
	fake       *fakesas.Server
	at         time.Time
	maxScanAge time.Duration // 0: any age
	vulns      *oracleVulns
	// levels blocked; nil: the block is not set
	baselines, secrets, malware []string
}

type oracleVulns struct {
	necessities  []string
	onlyFixable  bool
	minCVSS      float64 // 0: not set
	allowUnknown bool
}

// wantViolation is what identifies a violation.
type wantViolation struct{ uuid, kind, id, level string }

func (w wantViolation) String() string { return w.uuid + " " + w.kind + " " + w.id + " " + w.level }

// The spec's order of kinds, and of each kind's levels, most severe first.
var (
	oracleKinds  = []string{"not_scanned", "stale_scan", "vulnerability", "baseline", "sensitive_file", "malicious_file"}
	oracleLevels = map[string][]string{
		"vulnerability":  {"asap", "later", "nntf"},
		"baseline":       {"high", "medium", "low"},
		"sensitive_file": {"high", "medium", "low"},
		"malicious_file": {"serious", "suspicious", "remind"},
	}
)

// imageScanned: the last scan completed.
func imageScanned(img fakesas.Image) bool {
	ms, _ := wireInt(img["LastScanTime"])
	return img["ScaStatus"] == "SUCCESS" && ms > 0
}

// violations lists the violations of records, the image records of the
// gate in its order.
func (o gateOracle) violations(t *testing.T, records []fakesas.Image) []wantViolation {
	t.Helper()
	var out []wantViolation
	for _, img := range records {
		out = append(out, o.imageViolations(t, img)...)
	}
	return out
}

func (o gateOracle) imageViolations(t *testing.T, img fakesas.Image) []wantViolation {
	t.Helper()
	uuid := field(img, "Uuid")
	if !imageScanned(img) {
		return []wantViolation{{uuid, "not_scanned", uuid, ""}}
	}
	var found []wantViolation
	add := func(kind, id, level string) { found = append(found, wantViolation{uuid, kind, id, level}) }
	if ms, _ := wireInt(img["LastScanTime"]); o.maxScanAge > 0 && o.at.Sub(time.UnixMilli(ms)) > o.maxScanAge {
		add("stale_scan", uuid, "")
	}
	if o.vulns != nil {
		for _, row := range o.fake.VulnerabilityRows(uuid) {
			if o.vulnBlocks(t, row) {
				add("vulnerability", fmt.Sprint(row["Name"]), fmt.Sprint(row["Necessity"]))
			}
		}
	}
	if o.baselines != nil {
		for _, b := range fakesas.ImageBaselines(img) {
			for _, item := range b.Items {
				if slices.Contains(o.baselines, b.Level) && item.Status != fakesas.BaselineItemStatusFixed && !item.Whitelisted {
					add("baseline", item.Key, b.Level)
				}
			}
		}
	}
	if o.secrets != nil {
		for _, s := range o.fake.SensitiveFileTypes(uuid) {
			if slices.Contains(o.secrets, s.Level) && s.Status == fakesas.SensitiveStatusUnhandled {
				add("sensitive_file", s.Key, s.Level)
			}
		}
	}
	if o.malware != nil {
		for _, f := range o.fake.MaliciousFiles(uuid) {
			if slices.Contains(o.malware, f.Sample.Level) && f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted {
				add("malicious_file", f.Sample.MD5, f.Sample.Level)
			}
		}
	}
	slices.SortStableFunc(found, func(a, b wantViolation) int {
		return cmp.Or(
			cmp.Compare(slices.Index(oracleKinds, a.kind), slices.Index(oracleKinds, b.kind)),
			cmp.Compare(slices.Index(oracleLevels[a.kind], a.level), slices.Index(oracleLevels[b.kind], b.level)),
			strings.Compare(a.id, b.id),
		)
	})
	return found
}

// vulnBlocks: a row that is not fixed, has a fix (with only_fixable), and
// is of a blocked priority or, with min_cvss, scores at least that or has
// no score at all (unless allowed).
func (o gateOracle) vulnBlocks(t *testing.T, row fakesas.Record) bool {
	t.Helper()
	v := o.vulns
	if status, _ := wireInt(row["Status"]); status == fakesas.VulStatusFixed {
		return false
	}
	if v.onlyFixable && row["CanFix"] == "no" {
		return false
	}
	if slices.Contains(v.necessities, fmt.Sprint(row["Necessity"])) {
		return true
	}
	if v.minCVSS == 0 {
		return false
	}
	score, scored := o.highestScore(t, fmt.Sprint(row["Name"]))
	if !scored {
		return !v.allowUnknown
	}
	return score >= v.minCVSS
}

// highestScore is the highest CVSS score among a name's CVEs.
func (o gateOracle) highestScore(t *testing.T, name string) (float64, bool) {
	t.Helper()
	var best float64
	scored := false
	for _, cve := range o.fake.VulnerabilityDetails(name) {
		text, ok := cve["CvssScore"].(string)
		if !ok || text == "" {
			continue
		}
		score, err := strconv.ParseFloat(text, 64)
		if err != nil {
			t.Fatalf("%s: CvssScore %q", name, text)
		}
		best, scored = max(best, score), true
	}
	return best, scored
}

// gotViolations identifies the gate's violations.
func gotViolations(m *imageGateModel) []wantViolation {
	out := make([]wantViolation, len(m.Violations))
	for k, v := range m.Violations {
		out[k] = wantViolation{v.ImageUUID.ValueString(), v.Kind.ValueString(), v.ID.ValueString(), v.Level.ValueString()}
	}
	return out
}

func gotExcepted(m *imageGateModel) []wantViolation {
	out := make([]wantViolation, len(m.Excepted))
	for k, v := range m.Excepted {
		out[k] = wantViolation{v.ImageUUID.ValueString(), v.Kind.ValueString(), v.ID.ValueString(), v.Level.ValueString()}
	}
	return out
}

func requireViolations(t *testing.T, what string, got, want []wantViolation) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n%s\nwant\n%s", what, strings.Join(mapStrings(got), "\n"), strings.Join(mapStrings(want), "\n"))
	}
}

func mapStrings[T fmt.Stringer](list []T) []string {
	out := make([]string, len(list))
	for k, v := range list {
		out[k] = v.String()
	}
	return out
}

// ---- the dataset ----

// gateFake serves the demo images dated at gateAt (the instant the gates
// are evaluated at), then 400 generated ones, then extra.
func gateFake(t *testing.T, extra ...fakesas.Image) *fakesas.Server {
	t.Helper()
	images := append(fakesas.DemoImages(gateAt), fakesas.GenerateImages(400, 7)...)
	return startFake(t, fakesas.Options{Images: append(images, extra...)})
}

// recordsOf are the image records a gate over these digests reads, in its
// order: the digests' in the order given, the records of one digest by
// uuid.
func recordsOf(fake *fakesas.Server, digests ...string) []fakesas.Image {
	var out []fakesas.Image
	for _, d := range digests {
		var same []fakesas.Image
		for _, img := range fake.Images() {
			if field(img, "Digest") == d {
				same = append(same, img)
			}
		}
		slices.SortFunc(same, func(a, b fakesas.Image) int { return strings.Compare(field(a, "Uuid"), field(b, "Uuid")) })
		out = append(out, same...)
	}
	return out
}

func digestsOf(images []fakesas.Image) []string {
	var out []string
	for _, img := range images {
		if d := field(img, "Digest"); !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// releaseImages picks, from the fake's images, a release with findings of
// every kind and at every level: the four named demo images, then
// generated scanned images with malware, secrets (one with more than five
// files of a type), high and lower baselines, and one never scanned.
func releaseImages(t *testing.T, fake *fakesas.Server) []fakesas.Image {
	t.Helper()
	all := fake.Images()
	picked := slices.Clone(all[:4])
	pick := func(what string, n int, want func(fakesas.Image) bool) {
		t.Helper()
		for _, img := range all[4:] {
			if n == 0 {
				return
			}
			if !slices.ContainsFunc(picked, func(p fakesas.Image) bool { return field(p, "Uuid") == field(img, "Uuid") }) && want(img) {
				picked = append(picked, img)
				n--
			}
		}
		if n > 0 {
			t.Fatalf("the dataset lacks images %s", what)
		}
	}
	uuid := func(img fakesas.Image) string { return field(img, "Uuid") }
	pick("with unhandled malware", 3, func(img fakesas.Image) bool {
		return slices.ContainsFunc(fake.MaliciousFiles(uuid(img)), func(f fakesas.MaliciousFile) bool { return f.Status == fakesas.MaliciousStatusUnhandled })
	})
	pick("with only handled or whitelisted malware", 1, func(img fakesas.Image) bool {
		files := fake.MaliciousFiles(uuid(img))
		return len(files) > 0 && !slices.ContainsFunc(files, func(f fakesas.MaliciousFile) bool { return f.Status == fakesas.MaliciousStatusUnhandled })
	})
	pick("with a secret type of more than five files", 1, func(img fakesas.Image) bool {
		return slices.ContainsFunc(fake.SensitiveFileTypes(uuid(img)), func(s fakesas.SensitiveFileType) bool {
			return len(s.Files) > 5 && s.Status == fakesas.SensitiveStatusUnhandled
		})
	})
	pick("with secrets", 3, func(img fakesas.Image) bool { return len(fake.SensitiveFileTypes(uuid(img))) > 0 })
	pick("with high baselines", 3, func(img fakesas.Image) bool {
		return slices.ContainsFunc(fakesas.ImageBaselines(img), func(b fakesas.Baseline) bool { return b.Level == "high" })
	})
	pick("with only medium or low baselines", 2, func(img fakesas.Image) bool {
		baselines := fakesas.ImageBaselines(img)
		return len(baselines) > 0 && !slices.ContainsFunc(baselines, func(b fakesas.Baseline) bool { return b.Level == "high" })
	})
	pick("never scanned", 1, func(img fakesas.Image) bool { return !imageScanned(img) })
	return picked
}

// ---- each policy block ----

// Each policy block, alone and with its options, blocks exactly the
// findings the spec says, on every image of a release with findings of
// every kind, and lets the others pass.
func TestGate_eachPolicyBlockBlocksAndPasses(t *testing.T) {
	at := gateAt
	fake := gateFake(t)
	records := releaseImages(t, fake)
	digests := digestsOf(records)
	records = recordsOf(fake, digests...)
	all := []string{"high", "medium", "low"}
	cases := []struct {
		name   string
		args   gateArgs
		oracle gateOracle
		kind   string // the kind the block reports
	}{
		{"vulnerabilities, defaults: asap with a fix", gateArgs{"vulnerabilities": map[string]any{}},
			gateOracle{vulns: &oracleVulns{necessities: []string{"asap"}, onlyFixable: true}}, "vulnerability"},
		{"vulnerabilities later and nntf, fix or not", gateArgs{"vulnerabilities": map[string]any{"necessities": anyList("later", "nntf"), "only_fixable": false}},
			gateOracle{vulns: &oracleVulns{necessities: []string{"later", "nntf"}}}, "vulnerability"},
		{"vulnerabilities with min_cvss", gateArgs{"vulnerabilities": map[string]any{"min_cvss": 8.5}},
			gateOracle{vulns: &oracleVulns{necessities: []string{"asap"}, onlyFixable: true, minCVSS: 8.5}}, "vulnerability"},
		{"vulnerabilities with min_cvss, unknown severity allowed", gateArgs{"vulnerabilities": map[string]any{"min_cvss": 8.5, "allow_unknown_severity": true}},
			gateOracle{vulns: &oracleVulns{necessities: []string{"asap"}, onlyFixable: true, minCVSS: 8.5, allowUnknown: true}}, "vulnerability"},
		{"baselines, defaults: high", gateArgs{"baselines": map[string]any{}}, gateOracle{baselines: []string{"high"}}, "baseline"},
		{"baselines medium and low", gateArgs{"baselines": map[string]any{"levels": anyList("medium", "low")}}, gateOracle{baselines: []string{"medium", "low"}}, "baseline"},
		{"sensitive files, defaults: every level", gateArgs{"sensitive_files": map[string]any{}}, gateOracle{secrets: all}, "sensitive_file"},
		{"sensitive files high", gateArgs{"sensitive_files": map[string]any{"risk_levels": anyList("high")}}, gateOracle{secrets: []string{"high"}}, "sensitive_file"},
		{"sensitive files medium and low", gateArgs{"sensitive_files": map[string]any{"risk_levels": anyList("medium", "low")}},
			gateOracle{secrets: []string{"medium", "low"}}, "sensitive_file"},
		{"malicious files, defaults: every level", gateArgs{"malicious_files": map[string]any{}},
			gateOracle{malware: []string{"serious", "suspicious", "remind"}}, "malicious_file"},
		{"malicious files suspicious and remind", gateArgs{"malicious_files": map[string]any{"levels": anyList("suspicious", "remind")}},
			gateOracle{malware: []string{"suspicious", "remind"}}, "malicious_file"},
		{"every block and max_scan_age", gateArgs{"max_scan_age": "72h", "vulnerabilities": map[string]any{"min_cvss": 9.0}, "baselines": map[string]any{},
			"sensitive_files": map[string]any{}, "malicious_files": map[string]any{}},
			gateOracle{maxScanAge: 72 * time.Hour, vulns: &oracleVulns{necessities: []string{"asap"}, onlyFixable: true, minCVSS: 9},
				baselines: []string{"high"}, secrets: all, malware: []string{"serious", "suspicious", "remind"}}, "stale_scan"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.args["digests"] = anyList(digests...)
			tc.args["at"] = at.Format(time.RFC3339)
			tc.oracle.fake, tc.oracle.at = fake, at
			want := tc.oracle.violations(t, records)
			if !slices.ContainsFunc(want, func(w wantViolation) bool { return w.kind == tc.kind }) {
				t.Fatalf("the release has no %s violation under this policy: the case proves nothing", tc.kind)
			}
			diags, m := readGateDirect(t, fake.Endpoint(), tc.args)
			requireNoGateDiagnostics(t, diags)
			requireViolations(t, "violations", gotViolations(m), want)
			requireImages(t, m, records, want)
			if m.Passed.ValueBool() {
				t.Error("passed with violations")
			}
		})
	}
}

// requireImages checks images: the records in the gate's order, each
// passing exactly when it has no violation, with its count.
func requireImages(t *testing.T, m *imageGateModel, records []fakesas.Image, want []wantViolation) {
	t.Helper()
	if len(m.Images) != len(records) {
		t.Fatalf("%d images, want %d", len(m.Images), len(records))
	}
	passing := 0
	for k, img := range records {
		got := m.Images[k]
		uuid := field(img, "Uuid")
		n := int64(0)
		for _, w := range want {
			if w.uuid == uuid {
				n++
			}
		}
		if got.UUID.ValueString() != uuid || got.Scanned.ValueBool() != imageScanned(img) || got.Violations.ValueInt64() != n || got.Passed.ValueBool() != (n == 0) {
			t.Errorf("image %d: %v, want uuid %s, scanned %v, %d violations", k, got, uuid, imageScanned(img), n)
		}
		if n == 0 {
			passing++
		}
	}
	if passing == 0 {
		t.Error("no image of the release passes: the case does not show what passes")
	}
}

// ---- exceptions ----

// imageByUUID is the fake's image record with this uuid.
func imageByUUID(t *testing.T, fake *fakesas.Server, uuid string) fakesas.Image {
	t.Helper()
	for _, img := range fake.Images() {
		if field(img, "Uuid") == uuid {
			return img
		}
	}
	t.Fatalf("no image %s", uuid)
	return nil
}

// exception is an entry of exceptions.
func exception(kind, id, expires, reason string, scope ...string) map[string]any {
	e := map[string]any{"kind": kind, "id": id, "expires": expires, "reason": reason}
	if scope != nil {
		e["scope"] = anyList(scope...)
	}
	return e
}

// rowOf is the vulnerability row of an image by name.
func rowOf(t *testing.T, fake *fakesas.Server, uuid, name string) fakesas.Record {
	t.Helper()
	for _, r := range fake.VulnerabilityRows(uuid) {
		if r["Name"] == name {
			return r
		}
	}
	t.Fatalf("image %s has no row %s", uuid, name)
	return nil
}

// exceptionRelease is a release with a finding of every kind: the demo's
// vulnerable payments-api:1.4.2 (vulnerabilities, secrets, malware), an
// image with a high baseline of two failing check items or more, and the
// clean payments-api:1.4.3; with every policy block at its defaults.
type exceptionRelease struct {
	fake           *fakesas.Server
	records        []fakesas.Image
	args           gateArgs
	all            []wantViolation // the violations without exceptions
	pay, baselined fakesas.Image
	baselineKey    string   // a high baseline of baselined with 2+ failing items
	baselineItems  []string // its failing items
}

func newExceptionRelease(t *testing.T) exceptionRelease {
	t.Helper()
	r := exceptionRelease{fake: gateFake(t)}
	r.pay = imageByUUID(t, r.fake, fakesas.DemoUUIDPaymentsVulnerable)
	for _, img := range r.fake.Images()[4:] {
		for _, b := range fakesas.ImageBaselines(img) {
			var failing []string
			for _, item := range b.Items {
				if item.Status != fakesas.BaselineItemStatusFixed && !item.Whitelisted {
					failing = append(failing, item.Key)
				}
			}
			if b.Level == "high" && len(failing) >= 2 && r.baselined == nil {
				r.baselined, r.baselineKey, r.baselineItems = img, b.Key, failing
			}
		}
	}
	if r.baselined == nil {
		t.Fatal("no image with a high baseline of two failing items")
	}
	clean := imageByUUID(t, r.fake, fakesas.DemoUUIDPaymentsClean)
	digests := []string{field(r.pay, "Digest"), field(r.baselined, "Digest"), field(clean, "Digest")}
	r.records = recordsOf(r.fake, digests...)
	r.args = gateArgs{"digests": anyList(digests...), "at": gateAt.Format(time.RFC3339),
		"vulnerabilities": map[string]any{}, "baselines": map[string]any{}, "sensitive_files": map[string]any{}, "malicious_files": map[string]any{}}
	oracle := gateOracle{fake: r.fake, at: gateAt, vulns: &oracleVulns{necessities: []string{"asap"}, onlyFixable: true},
		baselines: []string{"high"}, secrets: []string{"high", "medium", "low"}, malware: []string{"serious", "suspicious", "remind"}}
	r.all = oracle.violations(t, r.records)
	return r
}

// first is the first violation of an image and kind.
func (r exceptionRelease) first(t *testing.T, img fakesas.Image, kind string) wantViolation {
	t.Helper()
	for _, w := range r.all {
		if w.uuid == field(img, "Uuid") && w.kind == kind {
			return w
		}
	}
	t.Fatalf("no %s violation on %s", kind, field(img, "Uuid"))
	return wantViolation{}
}

// Each kind of exception applies by its id or an alias, in any case,
// within its scope, until it expires (a date through that day, UTC); an
// expired one is listed only as expired, one that covered nothing as
// unused; expiring and expired ones are warnings naming kind, id, expiry
// and reason.
func TestGate_exceptions(t *testing.T) {
	r := newExceptionRelease(t)
	payUUID := field(r.pay, "Uuid")
	vuln := r.first(t, r.pay, "vulnerability")
	cves := strings.Split(fmt.Sprint(rowOf(t, r.fake, payUUID, vuln.id)["Related"]), ",")
	secret := r.first(t, r.pay, "sensitive_file")
	malware := r.first(t, r.pay, "malicious_file")
	item := r.first(t, r.baselined, "baseline")
	is := func(w wantViolation) func(wantViolation) bool { return func(v wantViolation) bool { return v == w } }
	later := "2027-06-30"
	soon := gateAt.Add(3 * 24 * time.Hour).In(time.FixedZone("UTC+8", 8*3600)).Format(time.RFC3339)
	cases := []struct {
		name           string
		exceptions     []any
		expiryWarning  string
		covers         func(wantViolation) bool
		by             int      // the exception the covered findings carry
		expired        []string // ids
		unused         []string // ids
		warnings       []string // summaries, in the order of the exceptions
		warningExpires []string // the expires each warning names
	}{
		{name: "vulnerability by name", exceptions: []any{exception("vulnerability", vuln.id, later, "SEC-1")}, covers: is(vuln)},
		{name: "vulnerability by a CVE id in lower case", exceptions: []any{exception("vulnerability", strings.ToLower(cves[0]), later, "SEC-1")}, covers: is(vuln)},
		{name: "baseline by check item", exceptions: []any{exception("baseline", item.id, later, "SEC-2")}, covers: is(item)},
		{name: "baseline by baseline key: every failing item of it", exceptions: []any{exception("baseline", r.baselineKey, later, "SEC-2")},
			covers: func(v wantViolation) bool {
				return v.uuid == field(r.baselined, "Uuid") && v.kind == "baseline" && slices.Contains(r.baselineItems, v.id)
			}},
		{name: "sensitive file by type key", exceptions: []any{exception("sensitive_file", secret.id, later, "SEC-3")}, covers: is(secret)},
		{name: "malicious file by MD5 in capitals", exceptions: []any{exception("malicious_file", strings.ToUpper(malware.id), later, "SEC-4")}, covers: is(malware)},
		{name: "scoped to the repository", exceptions: []any{exception("vulnerability", vuln.id, later, "SEC-1", "payments-api")}, covers: is(vuln)},
		{name: "scoped to namespace/name", exceptions: []any{exception("vulnerability", vuln.id, later, "SEC-1", "staging/other", "prod/payments-api")}, covers: is(vuln)},
		{name: "scoped to the digest, sha256: in capitals", exceptions: []any{exception("vulnerability", vuln.id, later, "SEC-1",
			"SHA256:"+strings.ToUpper(field(r.pay, "Digest")))}, covers: is(vuln)},
		{name: "scoped out: another repository", exceptions: []any{exception("vulnerability", vuln.id, later, "SEC-1", "checkout-web", "staging/payments-api")},
			unused: []string{vuln.id}},
		{name: "scoped out: another image's digest", exceptions: []any{exception("sensitive_file", secret.id, later, "SEC-3", field(r.baselined, "Digest"))},
			unused: []string{secret.id}},
		{name: "another kind does not apply", exceptions: []any{exception("baseline", vuln.id, later, "SEC-1")}, unused: []string{vuln.id}},
		{name: "matching nothing: unused", exceptions: []any{exception("malicious_file", strings.Repeat("0", 32), later, "SEC-9")}, unused: []string{strings.Repeat("0", 32)}},
		{name: "a date is valid through that day", exceptions: []any{exception("sensitive_file", secret.id, gateAt.Format(time.DateOnly), "SEC-3")},
			covers: is(secret), warnings: []string{"Exception expires soon"}, warningExpires: []string{gateAt.Format(time.DateOnly)}},
		{name: "expired the day before", exceptions: []any{exception("sensitive_file", secret.id, gateAt.Add(-24*time.Hour).Format(time.DateOnly), "SEC-3")},
			expired: []string{secret.id}, warnings: []string{"Exception expired"}, warningExpires: []string{gateAt.Add(-24 * time.Hour).Format(time.DateOnly)}},
		{name: "expired at an RFC 3339 instant", exceptions: []any{exception("malicious_file", malware.id, gateAt.Format(time.RFC3339), "SEC-4")},
			expired: []string{malware.id}, warnings: []string{"Exception expired"}, warningExpires: []string{gateAt.Format(time.RFC3339)}},
		{name: "expiring within the default 14 days", exceptions: []any{exception("baseline", item.id, soon, "SEC-2")},
			covers: is(item), warnings: []string{"Exception expires soon"}, warningExpires: []string{soon}},
		{name: "not expiring within a shorter expiry_warning", exceptions: []any{exception("baseline", item.id, soon, "SEC-2")}, expiryWarning: "48h", covers: is(item)},
		{name: "expiring within a longer expiry_warning", exceptions: []any{exception("baseline", item.id, later, "SEC-2")}, expiryWarning: "8760h",
			covers: is(item), warnings: []string{"Exception expires soon"}, warningExpires: []string{later}},
		{name: "an expired one does not hide a valid one; the first that applies is named",
			exceptions: []any{
				exception("vulnerability", vuln.id, "2026-01-01", "SEC-old"),
				exception("vulnerability", cves[0], later, "SEC-1"),
				exception("vulnerability", vuln.id, later, "SEC-dup"),
			},
			covers: is(vuln), by: 1, expired: []string{vuln.id}, unused: []string{vuln.id}, warnings: []string{"Exception expired"}, warningExpires: []string{"2026-01-01"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := gateArgs{"exceptions": tc.exceptions}
			for k, v := range r.args {
				args[k] = v
			}
			if tc.expiryWarning != "" {
				args["expiry_warning"] = tc.expiryWarning
			}
			covers := tc.covers
			if covers == nil {
				covers = func(wantViolation) bool { return false }
			}
			var wantViolations, wantExcepted []wantViolation
			for _, w := range r.all {
				if covers(w) {
					wantExcepted = append(wantExcepted, w)
				} else {
					wantViolations = append(wantViolations, w)
				}
			}
			diags, m := readGateDirect(t, r.fake.Endpoint(), args)
			if diags.HasError() {
				t.Fatal(diags)
			}
			requireViolations(t, "violations", gotViolations(m), wantViolations)
			requireViolations(t, "excepted", gotExcepted(m), wantExcepted)
			requireExceptionWarnings(t, diags, tc.exceptions, tc.warnings, tc.warningExpires)
			if got := refIDs(m.ExpiredExceptions); !slices.Equal(got, tc.expired) {
				t.Errorf("expired_exceptions %v, want %v", got, tc.expired)
			}
			if got := refIDs(m.UnusedExceptions); !slices.Equal(got, tc.unused) {
				t.Errorf("unused_exceptions %v, want %v", got, tc.unused)
			}
			if m.Summary.Attributes()["excepted"].String() != strconv.Itoa(len(wantExcepted)) {
				t.Errorf("summary.excepted %v, want %d", m.Summary.Attributes()["excepted"], len(wantExcepted))
			}
			for _, x := range m.Excepted {
				e := tc.exceptions[tc.by].(map[string]any)
				if x.Reason.ValueString() != e["reason"] || x.Expires.ValueString() != e["expires"] {
					t.Errorf("excepted %s %s carries reason %s, expires %s; want those of exception %d, %v", x.Kind, x.ID, x.Reason, x.Expires, tc.by, e)
				}
			}
		})
	}
}

func refIDs(refs []gateExceptionRef) []string {
	var out []string
	for _, e := range refs {
		out = append(out, e.ID.ValueString())
	}
	return out
}

// requireExceptionWarnings: the warnings are exactly the summaries given,
// each titled with its exception's kind and id and naming its kind, id,
// expires and reason.
func requireExceptionWarnings(t *testing.T, diags diag.Diagnostics, exceptions []any, summaries, expires []string) {
	t.Helper()
	warnings := diags.Warnings()
	if len(warnings) != len(summaries) {
		t.Fatalf("warnings %v, want %v", warnings, summaries)
	}
	for k, w := range warnings {
		named := false
		for _, e := range exceptions {
			e := e.(map[string]any)
			if e["expires"] != expires[k] {
				continue
			}
			titled := w.Summary() == fmt.Sprintf("%s: %s %s", summaries[k], e["kind"], e["id"])
			named = named || (titled && strings.Contains(w.Detail(), e["kind"].(string)) && strings.Contains(w.Detail(), fmt.Sprintf("%q", e["id"])) &&
				strings.Contains(w.Detail(), expires[k]) && strings.Contains(w.Detail(), e["reason"].(string)))
		}
		if !named {
			t.Errorf("warning %q is not titled %q with its exception's kind and id, or does not name its kind, id, expiry (%s) and reason: %s",
				w.Summary(), summaries[k], expires[k], w.Detail())
		}
	}
}

// ---- failing closed ----

// everyBlock is a policy with every block at its defaults, and min_cvss.
func everyBlock(digests []string) gateArgs {
	return gateArgs{"digests": anyList(digests...), "at": gateAt.Format(time.RFC3339),
		"vulnerabilities": map[string]any{"min_cvss": 9.0}, "baselines": map[string]any{}, "sensitive_files": map[string]any{}, "malicious_files": map[string]any{}}
}

// everyBlockOracle is everyBlock's policy.
func everyBlockOracle(fake *fakesas.Server) gateOracle {
	return gateOracle{fake: fake, at: gateAt, vulns: &oracleVulns{necessities: []string{"asap"}, onlyFixable: true, minCVSS: 9},
		baselines: []string{"high"}, secrets: []string{"high", "medium", "low"}, malware: []string{"serious", "suspicious", "remind"}}
}

// categoryActions are the actions of the four policy blocks.
var categoryActions = []string{
	"DescribeImageVulList", "DescribeVulDetails", "DescribeImageBaselineCheckResult", "DescribeImageBaselineItemList",
	"DescribeImageSensitiveFileList", "DescribeImageSensitiveFileByKey", "DescribeAffectedMaliciousFileImages", "DescribeGroupedMaliciousFiles",
}

// An image never scanned is a not_scanned violation, whatever the policy,
// and nothing of it is read; one scanned longer ago than max_scan_age is a
// stale_scan violation (and is still read), without max_scan_age it is not.
func TestGate_failsClosedOnScans(t *testing.T) {
	fake := gateFake(t)
	unscanned := imageByUUID(t, fake, fakesas.DemoUUIDCheckoutUnscanned)
	stale := imageByUUID(t, fake, fakesas.DemoUUIDAuthStale)
	digests := []string{field(unscanned, "Digest"), field(stale, "Digest")}
	for _, maxAge := range []time.Duration{0, 168 * time.Hour} {
		t.Run(fmt.Sprint("max_scan_age ", maxAge), func(t *testing.T) {
			fake.ResetCounters()
			args := everyBlock(digests)
			oracle := everyBlockOracle(fake)
			if maxAge > 0 {
				args["max_scan_age"] = "168h"
				oracle.maxScanAge = maxAge
			}
			diags, m := readGateDirect(t, fake.Endpoint(), args)
			requireNoGateDiagnostics(t, diags)
			want := oracle.violations(t, recordsOf(fake, digests...))
			requireViolations(t, "violations", gotViolations(m), want)
			if stale := slices.ContainsFunc(want, func(w wantViolation) bool { return w.kind == "stale_scan" }); stale != (maxAge > 0) {
				t.Fatalf("the case expects a stale_scan violation: %v, with max_scan_age %v", stale, maxAge)
			}
			v := m.Violations[0]
			if v.Kind.ValueString() != "not_scanned" || !v.Level.IsNull() || !v.Fixable.IsNull() || !strings.Contains(v.Fix.ValueString(), "sas_image_scan") ||
				!m.Images[0].LastScannedAt.IsNull() || m.Images[0].Scanned.ValueBool() {
				t.Errorf("the unscanned image: %+v, %+v", v, m.Images[0])
			}
			for _, r := range fake.Requests() {
				if q := r.Query.Encode(); strings.Contains(q, fakesas.DemoUUIDCheckoutUnscanned) || (r.Action != "DescribeImageInstances" && strings.Contains(q, digests[0])) {
					t.Errorf("%s read the unscanned image: %s", r.Action, q)
				}
			}
		})
	}
}

// A category that cannot be read fails the gate with the service's error:
// no verdict, never passed.
func TestGate_failsClosedWhenAReadFails(t *testing.T) {
	r := newExceptionRelease(t)
	for _, action := range append([]string{"DescribeImageInstances"}, categoryActions...) {
		t.Run(action, func(t *testing.T) {
			r.fake.ResetCounters()
			r.fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: action})
			t.Cleanup(func() { r.fake.SetFaults() })
			diags, m := readGateDirect(t, r.fake.Endpoint(), everyBlock(digestsOf(r.records)))
			if m != nil {
				t.Fatalf("the gate read with %s failing: passed %v", action, m.Passed)
			}
			requireError(t, diags, "NoPermission")
			if r.fake.Calls(action) == 0 {
				t.Fatalf("the gate never called %s: the case proves nothing", action)
			}
		})
	}
}

// A risk listing that ends short of what the service counted fails the
// gate: no verdict on part of the risks.
func TestGate_failsClosedOnAShortListing(t *testing.T) {
	images := append(fakesas.DemoImages(gateAt), fakesas.GenerateImages(400, 7)...)
	for _, action := range []string{"DescribeImageInstances", "DescribeImageVulList", "DescribeImageSensitiveFileList", "DescribeAffectedMaliciousFileImages"} {
		t.Run(action, func(t *testing.T) {
			fake := fakesas.New(fakesas.Options{Images: images, MaxPageSize: 2})
			server := httptest.NewServer(countInflater{next: fake, action: action, delta: 1})
			t.Cleanup(server.Close)
			pay := images[0]
			diags, m := readGateDirect(t, strings.TrimPrefix(server.URL, "http://"), everyBlock([]string{field(pay, "Digest")}))
			if m != nil {
				t.Fatalf("the gate read a short %s listing: passed %v", action, m.Passed)
			}
			requireError(t, diags, "Incomplete Security Center listing")
		})
	}
}

// A finding whose level or status the service left out blocks.
func TestGate_failsClosedOnMissingValues(t *testing.T) {
	images := fakesas.DemoImages(gateAt)
	pay := images[0]
	liveFixable := 0 // rows of pay neither fixed nor without a fix
	for _, row := range fakesas.New(fakesas.Options{Images: images}).VulnerabilityRows(field(pay, "Uuid")) {
		if status, _ := wireInt(row["Status"]); status != fakesas.VulStatusFixed && row["CanFix"] != "no" {
			liveFixable++
		}
	}
	cases := []struct {
		action, field string
		args          gateArgs
		kind          string
		want          int // violations of the kind without the field
	}{
		{"DescribeImageSensitiveFileList", "RiskLevel", gateArgs{"sensitive_files": map[string]any{}}, "sensitive_file", 2},
		{"DescribeImageSensitiveFileList", "RiskLevel", gateArgs{"sensitive_files": map[string]any{"risk_levels": anyList("low", "medium")}}, "sensitive_file", 2},
		{"DescribeImageSensitiveFileList", "UnprocessedNum", gateArgs{"sensitive_files": map[string]any{}}, "sensitive_file", 2},
		{"DescribeAffectedMaliciousFileImages", "Level", gateArgs{"malicious_files": map[string]any{}}, "malicious_file", 1},
		{"DescribeAffectedMaliciousFileImages", "Status", gateArgs{"malicious_files": map[string]any{}}, "malicious_file", 2},
		{"DescribeImageVulList", "Necessity", gateArgs{"vulnerabilities": map[string]any{"necessities": anyList("later", "nntf")}}, "vulnerability", liveFixable},
		{"DescribeImageInstances", "ScaStatus", gateArgs{"malicious_files": map[string]any{}}, "not_scanned", 1},
	}
	for _, tc := range cases {
		t.Run(tc.action+" without "+tc.field, func(t *testing.T) {
			fake := fakesas.New(fakesas.Options{Images: images})
			server := httptest.NewServer(withoutField{next: fake, action: tc.action, field: tc.field})
			t.Cleanup(server.Close)
			tc.args["digests"] = anyList(field(pay, "Digest"))
			diags, m := readGateDirect(t, strings.TrimPrefix(server.URL, "http://"), tc.args)
			requireNoGateDiagnostics(t, diags)
			n := 0
			for _, v := range m.Violations {
				if v.Kind.ValueString() == tc.kind {
					n++
				}
			}
			if n != tc.want || m.Passed.ValueBool() {
				t.Errorf("%d %s violations (passed %v), want %d: %v", n, tc.kind, m.Passed, tc.want, mapStrings(gotViolations(m)))
			}
		})
	}
}

// withoutField serves a fake's answers to one action without a field in
// any of their objects, as a service that leaves a value out.
type withoutField struct {
	next          http.Handler
	action, field string
}

func (h withoutField) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("x-acs-action") != h.action {
		h.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	var body any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var drop func(v any)
	drop = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, h.field)
			for _, e := range v {
				drop(e)
			}
		case []any:
			for _, e := range v {
				drop(e)
			}
		}
	}
	drop(body)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_ = json.NewEncoder(w).Encode(body)
}

// An image Security Center does not know fails the gate, naming it (and
// only it), before any category is read.
func TestGate_unknownImagesAreErrors(t *testing.T) {
	fake := gateFake(t)
	known := imageByUUID(t, fake, fakesas.DemoUUIDPaymentsClean)
	unknownDigest := strings.Repeat("0123456789abcdef", 4)
	unknownUUID := "00000000-0000-4000-8000-000000000000"
	cases := []struct {
		name  string
		args  gateArgs
		names string
	}{
		{"digest", gateArgs{"digests": anyList(field(known, "Digest"), "sha256:"+strings.ToUpper(unknownDigest))}, "digest " + unknownDigest},
		{"uuid", gateArgs{"image_uuids": anyList(unknownUUID, field(known, "Uuid"))}, "uuid " + unknownUUID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetCounters()
			tc.args["vulnerabilities"] = map[string]any{}
			tc.args["malicious_files"] = map[string]any{}
			diags, m := readGateDirect(t, fake.Endpoint(), tc.args)
			if m != nil || len(diags.Errors()) != 1 {
				t.Fatalf("diagnostics %v, want one error", diags)
			}
			d := diags.Errors()[0]
			if d.Summary() != "Security Center does not know an image of the release" || !strings.Contains(d.Detail(), "No image record has the "+tc.names+".") ||
				strings.Contains(d.Detail(), field(known, "Digest")) || strings.Contains(d.Detail(), field(known, "Uuid")) {
				t.Errorf("%s\n%s\nwant the %s named, and only it", d.Summary(), d.Detail(), tc.names)
			}
			for _, action := range categoryActions {
				if n := fake.Calls(action); n > 0 {
					t.Errorf("%d %s requests for a release with an unknown image", n, action)
				}
			}
		})
	}
}

// ---- images, order, determinism ----

// A digest held by several image records (the same image in two
// repositories) gates every one of them, in uuid order, each on its own
// findings.
func TestGate_aDigestOfSeveralRecordsGatesEach(t *testing.T) {
	pay := fakesas.DemoImages(gateAt)[0] // payments-api:1.4.2
	mirror := img("0b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e99", "payments-api-mirror", "1.4.2", fakesas.Image{
		"Digest": pay["Digest"], "RepoNamespace": "staging", "LastScanTime": pay["LastScanTime"], "VulCount": 5, "VulStatus": "YES", "RiskStatus": "YES",
	})
	fake := gateFake(t, mirror)
	digest := field(pay, "Digest")
	records := recordsOf(fake, digest)
	if len(records) != 2 || field(records[0], "Uuid") != field(mirror, "Uuid") {
		t.Fatalf("the digest's records: %v", uuids(records))
	}
	diags, m := readGateDirect(t, fake.Endpoint(), everyBlock([]string{"SHA256:" + strings.ToUpper(digest)}))
	requireNoGateDiagnostics(t, diags)
	want := everyBlockOracle(fake).violations(t, records)
	for _, r := range records {
		if !slices.ContainsFunc(want, func(w wantViolation) bool { return w.uuid == field(r, "Uuid") && w.kind == "malicious_file" }) {
			t.Fatalf("record %s has no malware violation: the case proves nothing", field(r, "Uuid"))
		}
	}
	requireViolations(t, "violations", gotViolations(m), want)
	for k, r := range records {
		if m.Images[k].UUID.ValueString() != field(r, "Uuid") || m.Images[k].Passed.ValueBool() {
			t.Errorf("image %d: %v, want %s failing", k, m.Images[k], field(r, "Uuid"))
		}
	}
}

// The verdict follows the order of the digests given, then kind, level
// and id; the same data and at give the same verdict, twice.
func TestGate_orderAndDeterminism(t *testing.T) {
	fake := gateFake(t)
	digests := digestsOf(releaseImages(t, fake))
	reversed := slices.Clone(digests)
	slices.Reverse(reversed)
	oracle := everyBlockOracle(fake)
	oracle.maxScanAge = 168 * time.Hour
	var first *imageGateModel
	for _, order := range [][]string{digests, reversed, digests} {
		args := everyBlock(order)
		args["max_scan_age"] = "168h"
		diags, m := readGateDirect(t, fake.Endpoint(), args)
		requireNoGateDiagnostics(t, diags)
		requireViolations(t, "violations", gotViolations(m), oracle.violations(t, recordsOf(fake, order...)))
		if first == nil {
			first = m
		} else if slices.Equal(order, digests) && !reflect.DeepEqual(first, m) {
			t.Error("two reads of the same data at the same time differ")
		}
	}
}

// The digests are resolved in one listing per 20, each of one page.
func TestGate_resolvesImagesInFewListings(t *testing.T) {
	fake := gateFake(t)
	var digests []string
	for _, img := range fake.Images() {
		if d := field(img, "Digest"); len(digests) < 45 && !slices.Contains(digests, d) {
			digests = append(digests, d)
		}
	}
	diags, m := readGateDirect(t, fake.Endpoint(), gateArgs{"digests": anyList(digests...), "malicious_files": map[string]any{}})
	requireNoGateDiagnostics(t, diags)
	if len(m.Images) < len(digests) {
		t.Fatalf("%d images for %d digests", len(m.Images), len(digests))
	}
	if n := fake.Calls("DescribeImageInstances"); n != 3 {
		t.Errorf("%d DescribeImageInstances requests for 45 digests, want 3", n)
	}
}

// ---- what is read ----

// Only the categories with a policy block are read: one listing of each
// per scanned image (the vulnerabilities of all in one), the check items
// of the blocked baselines, the files of the secret types found, and with
// min_cvss each distinct vulnerability name's details once, across images.
func TestGate_readsOnlyWhatThePolicyNeeds(t *testing.T) {
	fake := gateFake(t)
	records := recordsOf(fake, digestsOf(releaseImages(t, fake))...)
	var scanned []fakesas.Image
	for _, r := range records {
		if imageScanned(r) {
			scanned = append(scanned, r)
		}
	}
	n := len(scanned)
	var highBaselines, secretTypes int
	names := map[string]int{} // distinct names of the rows that are not fixed, by image count
	asapRows := 0
	for _, img := range scanned {
		uuid := field(img, "Uuid")
		for _, b := range fakesas.ImageBaselines(img) {
			if b.Level == "high" {
				highBaselines++
			}
		}
		secretTypes += len(fake.SensitiveFileTypes(uuid))
		seen := map[string]bool{}
		for _, row := range fake.VulnerabilityRows(uuid) {
			if row["Necessity"] == "asap" {
				asapRows++
			}
			if status, _ := wireInt(row["Status"]); status != fakesas.VulStatusFixed && !seen[fmt.Sprint(row["Name"])] {
				seen[fmt.Sprint(row["Name"])] = true
				names[fmt.Sprint(row["Name"])]++
			}
		}
	}
	shared := 0
	for _, images := range names {
		if images > 1 {
			shared++
		}
	}
	if highBaselines == 0 || secretTypes == 0 || shared == 0 || asapRows > 100 {
		t.Fatalf("the release lacks high baselines (%d), secrets (%d), names shared by images (%d), or has more than a page of asap rows (%d)",
			highBaselines, secretTypes, shared, asapRows)
	}
	secretPages := 0
	for _, img := range scanned {
		for _, s := range fake.SensitiveFileTypes(field(img, "Uuid")) {
			secretPages += (len(s.Files) + 99) / 100
		}
	}
	cases := []struct {
		block string
		args  map[string]any
		calls map[string]int // the actions besides DescribeImageInstances; -1: at least once
	}{
		{"vulnerabilities", map[string]any{}, map[string]int{"DescribeImageVulList": 1}},
		{"vulnerabilities", map[string]any{"min_cvss": 7.0}, map[string]int{"DescribeImageVulList": -1, "DescribeVulDetails": -1}},
		{"baselines", map[string]any{}, map[string]int{"DescribeImageBaselineCheckResult": n, "DescribeImageBaselineItemList": highBaselines}},
		{"sensitive_files", map[string]any{}, map[string]int{"DescribeImageSensitiveFileList": n, "DescribeImageSensitiveFileByKey": secretPages}},
		{"malicious_files", map[string]any{}, map[string]int{"DescribeAffectedMaliciousFileImages": n, "DescribeGroupedMaliciousFiles": n}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.block, tc.args), func(t *testing.T) {
			fake.ResetCounters()
			diags, _ := readGateDirect(t, fake.Endpoint(), gateArgs{"digests": anyList(digestsOf(records)...), tc.block: tc.args})
			requireNoGateDiagnostics(t, diags)
			if got := fake.Calls("DescribeImageInstances"); got != 1 {
				t.Errorf("%d DescribeImageInstances requests, want 1", got)
			}
			for _, action := range categoryActions {
				want, got := tc.calls[action], fake.Calls(action)
				if (want >= 0 && got != want) || (want < 0 && got == 0) {
					t.Errorf("%d %s requests, want %d", got, action, want)
				}
			}
			if tc.calls["DescribeVulDetails"] == 0 {
				return
			}
			looked := map[string]int{}
			for _, r := range fake.Requests() {
				if r.Action == "DescribeVulDetails" {
					looked[r.Query.Get("Name")]++
				}
			}
			for name, times := range looked {
				if times != 1 {
					t.Errorf("%s looked up %d times", name, times)
				}
			}
			for name := range names {
				if looked[name] == 0 {
					t.Errorf("%s of a row not fixed was not looked up", name)
				}
			}
		})
	}
}

// ---- the violations' fields ----

// Each kind of violation carries the finding's title, level, fix and
// detail as the service gives them; a secret names its number of files
// and up to five paths, never an excerpt, anywhere in the state.
func TestGate_violationFields(t *testing.T) {
	fake := gateFake(t)
	records := recordsOf(fake, digestsOf(releaseImages(t, fake))...)
	args := everyBlock(digestsOf(records))
	args["baselines"] = map[string]any{"levels": anyList("high", "medium", "low")}
	diags, state := readGateState(t, fake.Endpoint(), args)
	requireNoGateDiagnostics(t, diags)
	var m imageGateModel
	if d := state.Get(t.Context(), &m); d.HasError() {
		t.Fatal(d)
	}
	byUUID := map[string]fakesas.Image{}
	for _, r := range records {
		byUUID[field(r, "Uuid")] = r
	}
	seen := map[string]int{}
	bulk := 0
	for _, v := range m.Violations {
		uuid, id := v.ImageUUID.ValueString(), v.ID.ValueString()
		image := byUUID[uuid]
		ref := fmt.Sprintf("%s/%s@sha256:%s", field(image, "RepoNamespace"), field(image, "RepoName"), field(image, "Digest"))
		if !strings.HasSuffix(v.ImageReference.ValueString(), ref) {
			t.Errorf("%s: image_reference %s, want one ending %s", id, v.ImageReference, ref)
		}
		var title, level, fix, detail string
		fixable := "<null>"
		switch v.Kind.ValueString() {
		case "vulnerability":
			row := rowOf(t, fake, uuid, id)
			pkg := wireObject(t, row["ExtendContentJson"])["RpmEntityList"].([]any)
			title, level, fix, detail = fmt.Sprint(row["AliasName"]), fmt.Sprint(row["Necessity"]), "<null>", "no affected package listed"
			fixable = strconv.FormatBool(row["CanFix"] == "yes")
			if len(pkg) > 0 {
				p := pkg[0].(map[string]any)
				detail = fmt.Sprintf("%v %v", p["Name"], p["Version"])
				if p["UpdateCmd"] != "" {
					fix = fmt.Sprint(p["UpdateCmd"])
				}
			}
		case "baseline":
			for _, b := range fakesas.ImageBaselines(image) {
				for _, item := range b.Items {
					if item.Key == id {
						title, level, fix, detail = item.Name.En, b.Level, "<null>", "baseline "+b.Name.En
					}
				}
			}
		case "sensitive_file":
			for _, s := range fake.SensitiveFileTypes(uuid) {
				if s.Key != id {
					continue
				}
				var paths []string
				for _, f := range s.Files[:min(5, len(s.Files))] {
					paths = append(paths, f.FilePath)
				}
				title, level, fix = s.Name.En, s.Level, s.Advice.En
				detail = fmt.Sprintf("%d file(s): %s", len(s.Files), strings.Join(paths, ", "))
				if len(s.Files) > 5 {
					detail += fmt.Sprintf(" (and %d more)", len(s.Files)-5)
					bulk++
				}
			}
		case "malicious_file":
			for _, f := range fake.MaliciousFiles(uuid) {
				if f.Sample.MD5 == id {
					title, level, fix, detail = f.Sample.Name.En, f.Sample.Level, "<null>", f.FilePath
				}
			}
		default:
			continue
		}
		seen[v.Kind.ValueString()]++
		got := []string{v.Title.ValueString(), v.Level.ValueString(), v.Fixable.String(), textOrNull(v.Fix.ValueString(), v.Fix.IsNull()), v.Detail.ValueString()}
		if want := []string{title, level, fixable, fix, detail}; !slices.Equal(got, want) {
			t.Errorf("%s %s on %s:\n%q\nwant\n%q", v.Kind, id, uuid, got, want)
		}
	}
	if len(seen) != 4 || bulk == 0 {
		t.Fatalf("violations checked by kind %v, secrets of more than five files %d: want every kind and one", seen, bulk)
	}
	written := state.Raw.String()
	for _, r := range records {
		for _, s := range fake.SensitiveFileTypes(field(r, "Uuid")) {
			for _, f := range s.Files {
				if strings.Contains(written, f.Promt) {
					t.Fatalf("the state holds the excerpt %q of %s", f.Promt, f.FilePath)
				}
			}
		}
	}
}

func textOrNull(s string, null bool) string {
	if null {
		return "<null>"
	}
	return s
}

// ---- through Terraform ----

const gateAddr = "data.sas_image_gate.release"

// gateConfig is a provider pointing at the fake and a gate of these
// arguments.
func gateConfig(fake *fakesas.Server, args string) string {
	return providerConfig(fake) + "\ndata \"sas_image_gate\" \"release\" {\n" + args + "\n}\n"
}

// Bad input fails at plan time, naming the attribute at fault, before
// any request.
func TestAccGate_badInputFailsAtPlanTime(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(gateAt)})
	digest := hcl(field(fake.Images()[0], "Digest"))
	at := gateAt.Format(time.RFC3339)
	withException := func(e string) string {
		return fmt.Sprintf("digests = [%s]\nvulnerabilities = {}\nat = %q\nexceptions = [%s]", digest, at, e)
	}
	exc := func(kind, id, expires, reason string) string {
		return fmt.Sprintf("{ kind = %q, id = %q, expires = %q, reason = %q }", kind, id, expires, reason)
	}
	var many []string
	for k := range 101 {
		many = append(many, hcl(fmt.Sprintf("%064x", k)))
	}
	cases := []struct {
		name, args string
		err        *regexp.Regexp
	}{
		{"neither digests nor image_uuids", "vulnerabilities = {}", errorMatching("No images to gate", "Set digests", "or image_uuids")},
		{"both digests and image_uuids", fmt.Sprintf("digests = [%s]\nimage_uuids = [\"u-1\"]\nvulnerabilities = {}", digest),
			errorMatching("Both digests and image_uuids", `image_uuids = ["u-1"]`, "Set exactly one of digests and image_uuids")},
		{"no policy block", fmt.Sprintf("digests = [%s]\nmax_scan_age = \"24h\"", digest), errorMatching("No policy block", "vulnerabilities, baselines, sensitive_files and malicious_files")},
		{"no digest", "digests = []\nvulnerabilities = {}", errorMatching("Attribute digests list must contain at least 1 elements and at most 100 elements")},
		{"101 digests", fmt.Sprintf("digests = [%s]\nvulnerabilities = {}", strings.Join(many, ", ")), errorMatching("Attribute digests list must contain at least 1 elements and at most 100 elements")},
		{"a bad digest", "digests = [\"sha256:abc\"]\nvulnerabilities = {}", errorMatching("Invalid image digest", `digests = ["sha256:abc"]`, `Attribute digests[0]: "sha256:abc" must be a sha256 image digest`)},
		{"a bad image uuid", "image_uuids = [\"u 1\"]\nvulnerabilities = {}", errorMatching("Attribute image_uuids[0] must be an image uuid")},
		{"a bad max_scan_age", fmt.Sprintf("digests = [%s]\nvulnerabilities = {}\nmax_scan_age = \"7d\"", digest), errorMatching("Invalid duration", `max_scan_age = "7d"`, `"7d" is not a duration`)},
		{"a bad expiry_warning", fmt.Sprintf("digests = [%s]\nvulnerabilities = {}\nexpiry_warning = \"0s\"", digest), errorMatching("Invalid duration", `expiry_warning = "0s"`, `"0s" must be longer than zero`)},
		{"a bad at", fmt.Sprintf("digests = [%s]\nvulnerabilities = {}\nat = \"2026-12-07\"", digest), errorMatching(`at = "2026-12-07"`, "RFC3339")},
		{"min_cvss above 10", fmt.Sprintf("digests = [%s]\nvulnerabilities = { min_cvss = 10.5 }", digest), errorMatching("Attribute vulnerabilities.min_cvss value must be between 0.000000 and 10.000000")},
		{"an unknown fix priority", fmt.Sprintf("digests = [%s]\nvulnerabilities = { necessities = [\"urgent\"] }", digest), errorMatching(`vulnerabilities.necessities[Value("urgent")] value must be one of`)},
		{"an unknown baseline level", fmt.Sprintf("digests = [%s]\nbaselines = { levels = [\"critical\"] }", digest), errorMatching(`baselines.levels[Value("critical")] value must be one of`)},
		{"an unknown secret level", fmt.Sprintf("digests = [%s]\nsensitive_files = { risk_levels = [\"critical\"] }", digest), errorMatching(`sensitive_files.risk_levels[Value("critical")] value must be one of`)},
		{"an unknown malware level", fmt.Sprintf("digests = [%s]\nmalicious_files = { levels = [\"high\"] }", digest), errorMatching(`malicious_files.levels[Value("high")] value must be one of`)},
		{"an unknown exception kind", withException(exc("not_scanned", "x", "2027-01-31", "SEC-1")), errorMatching(`Attribute exceptions[0].kind value must be one of: ["vulnerability" "baseline" "sensitive_file" "malicious_file"], got: "not_scanned"`)},
		{"an exception without an id", withException(exc("vulnerability", "", "2027-01-31", "SEC-1")), errorMatching("Attribute exceptions[0].id string length must be at least 1")},
		{"an empty reason", withException(exc("vulnerability", "x", "2027-01-31", "")), errorMatching("Attribute exceptions[0].reason must not be empty")},
		{"a blank reason", withException(exc("vulnerability", "x", "2027-01-31", " \t ")), errorMatching("Attribute exceptions[0].reason must not be empty")},
		{"no reason", withException(`{ kind = "vulnerability", id = "x", expires = "2027-01-31" }`), errorMatching(`attribute "reason" is required`)},
		{"an unparsable expires", withException(exc("vulnerability", "x", "31/01/2027", "SEC-1")),
			errorMatching("Invalid exception expiry", `Attribute exceptions[0].expires: "31/01/2027" is neither a date`)},
		{"expires more than 366 days after at", withException(exc("baseline", "hc_x", "2027-12-08", "SEC-1")),
			errorMatching("Exception expires too late", `Attribute exceptions[0].expires: The exception for baseline "hc_x" expires 2027-12-08, more than 366 days after 2026-12-07T12:00:00Z`)},
		{"expires more than 366 days after now", fmt.Sprintf("digests = [%s]\nvulnerabilities = {}\nexceptions = [%s]", digest,
			exc("vulnerability", "x", time.Now().UTC().AddDate(1, 1, 0).Format(time.DateOnly), "SEC-1")), errorMatching("Exception expires too late", "Attribute exceptions[0].expires:", "more than 366 days after")},
		{"an empty scope", withException(`{ kind = "vulnerability", id = "x", expires = "2027-01-31", reason = "SEC-1", scope = [] }`),
			errorMatching("Attribute exceptions[0].scope list must contain at least 1 elements")},
	}
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{Config: gateConfig(fake, tc.args), ExpectError: tc.err, PlanOnly: true})
	}
	accTest(t, steps...)
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("bad input reached the service: %d requests", n)
	}
}

// expectViolations checks a list of violations exactly, in order.
func expectViolations(want []wantViolation) knownvalue.Check {
	checks := make([]knownvalue.Check, len(want))
	for k, w := range want {
		var level knownvalue.Check = knownvalue.StringExact(w.level)
		if w.level == "" {
			level = knownvalue.Null()
		}
		checks[k] = knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"image_uuid": knownvalue.StringExact(w.uuid), "kind": knownvalue.StringExact(w.kind), "id": knownvalue.StringExact(w.id), "level": level,
		})
	}
	return knownvalue.ListExact(checks)
}

// expectGateSummary is the summary of a verdict.
func expectGateSummary(images int, violations, excepted []wantViolation) knownvalue.Check {
	counts := map[string]knownvalue.Check{
		"images": knownvalue.Int64Exact(int64(images)), "violations": knownvalue.Int64Exact(int64(len(violations))),
		"excepted": knownvalue.Int64Exact(int64(len(excepted))),
	}
	for _, kind := range oracleKinds {
		n := 0
		for _, v := range violations {
			if v.kind == kind {
				n++
			}
		}
		counts[kind] = knownvalue.Int64Exact(int64(n))
	}
	return knownvalue.ObjectExact(counts)
}

// expectGateImages checks images: each record in order, passing when it
// has no violation.
func expectGateImages(records []fakesas.Image, violations []wantViolation) knownvalue.Check {
	checks := make([]knownvalue.Check, len(records))
	for k, r := range records {
		n := 0
		for _, v := range violations {
			if v.uuid == field(r, "Uuid") {
				n++
			}
		}
		var last knownvalue.Check = knownvalue.Null()
		if imageScanned(r) {
			ms, _ := wireInt(r["LastScanTime"])
			last = knownvalue.StringExact(time.UnixMilli(ms).UTC().Format(time.RFC3339))
		}
		checks[k] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"uuid": knownvalue.StringExact(field(r, "Uuid")), "scanned": knownvalue.Bool(imageScanned(r)), "last_scanned_at": last,
			"passed": knownvalue.Bool(n == 0), "violations": knownvalue.Int64Exact(int64(n)),
			"image_reference": knownvalue.StringExact(fmt.Sprintf("registry.cn-hangzhou.aliyuncs.com/%s/%s@sha256:%s", field(r, "RepoNamespace"), field(r, "RepoName"), field(r, "Digest"))),
		})
	}
	return knownvalue.ListExact(checks)
}

// The verdict through Terraform: a clean release passes; one with a
// vulnerable, a never scanned and a stale image is blocked with every
// violation; an exception lets its finding through until it expires.
func TestAccGate_verdict(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(gateAt)})
	byUUID := func(uuid string) fakesas.Image { return imageByUUID(t, fake, uuid) }
	clean := byUUID(fakesas.DemoUUIDPaymentsClean)
	blocked := []fakesas.Image{byUUID(fakesas.DemoUUIDPaymentsVulnerable), clean, byUUID(fakesas.DemoUUIDCheckoutUnscanned), byUUID(fakesas.DemoUUIDAuthStale)}
	oracle := everyBlockOracle(fake)
	oracle.maxScanAge = 168 * time.Hour
	policy := fmt.Sprintf(`
max_scan_age    = "168h"
at              = %q
vulnerabilities = { min_cvss = 9 }
baselines       = {}
sensitive_files = {}
malicious_files = {}`, gateAt.Format(time.RFC3339))
	digests := func(images ...fakesas.Image) string {
		var quoted []string
		for _, d := range digestsOf(images) {
			quoted = append(quoted, hcl(d))
		}
		return "digests = [" + strings.Join(quoted, ", ") + "]"
	}
	all := oracle.violations(t, blocked)
	secret := wantViolation{fakesas.DemoUUIDPaymentsVulnerable, "sensitive_file", fakesas.SensitiveKeyAWSAccessKey, "high"}
	if !slices.Contains(all, secret) || !slices.ContainsFunc(all, func(w wantViolation) bool { return w.kind == "not_scanned" }) ||
		!slices.ContainsFunc(all, func(w wantViolation) bool { return w.kind == "stale_scan" }) {
		t.Fatalf("the blocked release lacks a violation of some kind: %v", all)
	}
	laterOracle := oracle
	laterOracle.at = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	if !slices.Contains(laterOracle.violations(t, blocked), secret) {
		t.Fatal("the secret is not a violation a month later")
	}
	var rest []wantViolation
	for _, w := range all {
		if w != secret {
			rest = append(rest, w)
		}
	}
	exception := `exceptions = [{ kind = "sensitive_file", id = "aws_access_key", scope = ["prod/payments-api"], expires = "2026-12-31", reason = "SEC-7 rotated" }]`
	check := func(name string, c knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(gateAddr, tfjsonpath.New(name), c)
	}
	noRefs := knownvalue.ListExact([]knownvalue.Check{})
	ref := knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{"kind": knownvalue.StringExact("sensitive_file"),
		"id": knownvalue.StringExact("aws_access_key"), "expires": knownvalue.StringExact("2026-12-31"), "reason": knownvalue.StringExact("SEC-7 rotated")})})
	accTest(t,
		resource.TestStep{
			Config: gateConfig(fake, digests(clean)+policy),
			ConfigStateChecks: []statecheck.StateCheck{
				check("passed", knownvalue.Bool(true)),
				check("violations", knownvalue.ListExact([]knownvalue.Check{})),
				check("images", expectGateImages([]fakesas.Image{clean}, nil)),
				check("summary", expectGateSummary(1, nil, nil)),
			},
		},
		resource.TestStep{
			Config: gateConfig(fake, digests(blocked...)+policy),
			ConfigStateChecks: []statecheck.StateCheck{
				check("passed", knownvalue.Bool(false)),
				check("violations", expectViolations(all)),
				check("excepted", knownvalue.ListExact([]knownvalue.Check{})),
				check("images", expectGateImages(blocked, all)),
				check("summary", expectGateSummary(len(blocked), all, nil)),
			},
		},
		resource.TestStep{
			Config: gateConfig(fake, digests(blocked...)+policy+"\n"+exception),
			ConfigStateChecks: []statecheck.StateCheck{
				check("violations", expectViolations(rest)),
				check("excepted", knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"image_uuid": knownvalue.StringExact(secret.uuid), "kind": knownvalue.StringExact("sensitive_file"), "id": knownvalue.StringExact("aws_access_key"),
					"reason": knownvalue.StringExact("SEC-7 rotated"), "expires": knownvalue.StringExact("2026-12-31"),
					"detail": knownvalue.StringExact("2 file(s): /app/config/.env, /root/.aws/credentials"),
				})})),
				check("expired_exceptions", noRefs),
				check("unused_exceptions", noRefs),
				check("summary", expectGateSummary(len(blocked), rest, []wantViolation{secret})),
			},
		},
		resource.TestStep{
			Config: gateConfig(fake, digests(blocked...)+strings.Replace(policy, gateAt.Format(time.RFC3339), "2027-01-01T00:00:00Z", 1)+"\n"+exception),
			ConfigStateChecks: []statecheck.StateCheck{
				check("excepted", knownvalue.ListExact([]knownvalue.Check{})),
				check("expired_exceptions", ref),
				check("unused_exceptions", noRefs),
				check("passed", knownvalue.Bool(false)),
				check("violations", expectViolations(laterOracle.violations(t, blocked))),
			},
		},
		resource.TestStep{
			Config: gateConfig(fake, digests(clean)+policy+"\n"+exception),
			ConfigStateChecks: []statecheck.StateCheck{
				check("passed", knownvalue.Bool(true)),
				check("unused_exceptions", ref),
			},
		},
	)
}

// Through Terraform, an image Security Center does not know, or a
// category the service refuses to list, fails the plan.
func TestAccGate_failuresFailThePlan(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(gateAt)})
	pay := hcl(field(imageByUUID(t, fake, fakesas.DemoUUIDPaymentsVulnerable), "Digest"))
	unknown := strings.Repeat("ab", 32)
	accTest(t,
		resource.TestStep{
			Config:      gateConfig(fake, fmt.Sprintf("digests = [%s, \"sha256:%s\"]\nvulnerabilities = {}", pay, strings.ToUpper(unknown))),
			ExpectError: errorMatching("Security Center does not know an image of the release", "No image record has the digest "+unknown+"."),
		},
		resource.TestStep{
			Config:      gateConfig(fake, "image_uuids = [\"5b8f2c1e-0000-4000-8000-000000000000\"]\nbaselines = {}"),
			ExpectError: errorMatching("Security Center does not know an image of the release", "No image record has the uuid 5b8f2c1e-0000-4000-8000-000000000000."),
		},
		resource.TestStep{
			PreConfig: func() {
				fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: "DescribeImageSensitiveFileList"})
			},
			Config:      gateConfig(fake, fmt.Sprintf("digests = [%s]\nvulnerabilities = {}\nsensitive_files = {}", pay)),
			ExpectError: errorMatching("NoPermission", "Request id", "yundun-sas:DescribeImageSensitiveFileList"),
		},
	)
}

// One plan with a gate and two sas_image_vulnerabilities with
// with_cve_details over the same images looks each vulnerability name up
// once: the details are cached per provider configuration for the run,
// for the reads at the same time (the gate and one) and for a read after
// them (the other).
func TestAccGate_cveDetailsOncePerRunAcrossDataSources(t *testing.T) {
	fake := gateFake(t)
	var scanned []fakesas.Image
	for _, r := range releaseImages(t, fake) {
		if imageScanned(r) && len(scanned) < 6 {
			scanned = append(scanned, r)
		}
	}
	names := map[string]bool{}
	for _, r := range scanned {
		for _, row := range fake.VulnerabilityRows(field(r, "Uuid")) {
			names[fmt.Sprint(row["Name"])] = true
		}
	}
	var digests, ids []string
	for _, r := range scanned {
		digests, ids = append(digests, hcl(field(r, "Digest"))), append(ids, hcl(field(r, "Uuid")))
	}
	config := gateConfig(fake, fmt.Sprintf("digests = [%s]\nvulnerabilities = { min_cvss = 9 }", strings.Join(digests, ", "))) + fmt.Sprintf(`
data "sas_image_vulnerabilities" "all" {
  image_uuids      = [%[1]s]
  with_cve_details = true
}

# Read after the others, when every name is known.
data "sas_image_vulnerabilities" "asap" {
  image_uuids      = [%[1]s]
  necessities      = ["asap", "later"]
  with_cve_details = true
  depends_on       = [data.sas_image_gate.release, data.sas_image_vulnerabilities.all]
}
`, strings.Join(ids, ", "))
	accTest(t, resource.TestStep{Config: config, PlanOnly: true, ExpectNonEmptyPlan: false})
	runs := fake.Calls("DescribeImageInstances") // the gate's one listing per run
	if runs == 0 {
		t.Fatal("the gate never read")
	}
	looked := map[string]int{}
	for _, r := range fake.Requests() {
		if r.Action == "DescribeVulDetails" {
			looked[r.Query.Get("Name")]++
		}
	}
	for name := range names {
		if looked[name] != runs {
			t.Errorf("%s looked up %d times in %d runs, want once a run", name, looked[name], runs)
		}
	}
	if got, want := fake.Calls("DescribeVulDetails"), runs*len(names); got != want {
		t.Errorf("%d DescribeVulDetails requests in %d runs, want %d: once per distinct name (%d) a run", got, runs, want, len(names))
	}
}

// Arguments from variables, unknown when Terraform validates the
// configuration, are checked once known.
func TestAccGate_argumentsFromVariables(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(gateAt)})
	clean := hcl(field(imageByUUID(t, fake, fakesas.DemoUUIDPaymentsClean), "Digest"))
	variables := func(expires string) string {
		return fmt.Sprintf(`
variable "policy" {
  type    = object({ necessities = list(string) })
  default = { necessities = ["asap", "later"] }
}
variable "exceptions" {
  type    = list(object({ kind = string, id = string, expires = string, reason = string }))
  default = [{ kind = "vulnerability", id = "CVE-1", expires = %q, reason = "SEC-1" }]
}
`, expires)
	}
	gate := fmt.Sprintf("digests = [%s]\nat = %q\nvulnerabilities = var.policy\nexceptions = var.exceptions", clean, gateAt.Format(time.RFC3339))
	accTest(t,
		resource.TestStep{
			Config: variables("2027-01-31") + gateConfig(fake, gate),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(gateAddr, tfjsonpath.New("passed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(gateAddr, tfjsonpath.New("unused_exceptions"), knownvalue.ListSizeExact(1)),
			},
		},
		resource.TestStep{
			Config:      variables("2030-01-31") + gateConfig(fake, gate),
			ExpectError: errorMatching("Exception expires too late", "Attribute exceptions[0].expires:", `vulnerability "CVE-1" expires 2030-01-31`),
		},
	)
}

// Digests are lower case: given in capitals with sha256:, they are sent
// bare and in lower case; a record whose digest the service sends in
// capitals is referenced in lower case.
func TestGate_digestsAreLowerCase(t *testing.T) {
	digest := strings.Repeat("c0ffee", 10) + "beef"
	shouting := img("7f000000-0000-4000-8000-000000000001", "ledger", "2.0.0", fakesas.Image{"Digest": "SHA256:" + strings.ToUpper(digest)})
	fake := gateFake(t, shouting)
	pay := imageByUUID(t, fake, fakesas.DemoUUIDPaymentsVulnerable)
	diags, m := readGateDirect(t, fake.Endpoint(), gateArgs{"digests": anyList("SHA256:" + strings.ToUpper(field(pay, "Digest"))), "vulnerabilities": map[string]any{}})
	requireNoGateDiagnostics(t, diags)
	if len(m.Images) != 1 || m.Images[0].UUID.ValueString() != fakesas.DemoUUIDPaymentsVulnerable {
		t.Fatalf("images %v, want payments-api:1.4.2", m.Images)
	}
	for _, r := range fake.Requests() {
		if r.Action == "DescribeImageInstances" && !strings.Contains(r.Query.Get("Criteria"), `"value":"`+field(pay, "Digest")+`"`) {
			t.Errorf("the digest was not sent bare and in lower case: %s", r.Query.Get("Criteria"))
		}
	}
	diags, m = readGateDirect(t, fake.Endpoint(), gateArgs{"image_uuids": anyList(field(shouting, "Uuid")), "vulnerabilities": map[string]any{}})
	requireNoGateDiagnostics(t, diags)
	if got := m.Images[0].ImageReference.ValueString(); got != "prod/ledger@sha256:"+digest {
		t.Errorf("image_reference %s, want the digest in lower case", got)
	}
}

// inFlight serves a fake, noting the most requests in flight at once and
// the most distinct actions among them.
type inFlight struct {
	next                 http.Handler
	mu                   sync.Mutex
	now                  map[string]int // requests in flight by action
	most, mostActions, n int
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action := r.Header.Get("x-acs-action")
	f.mu.Lock()
	f.now[action]++
	f.n++
	f.most, f.mostActions = max(f.most, f.n), max(f.mostActions, len(f.now))
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.n--
		if f.now[action]--; f.now[action] == 0 {
			delete(f.now, action)
		}
	}()
	f.next.ServeHTTP(w, r)
}

// The reads run concurrently, never more at once than the provider's
// max_concurrency: the categories of the images side by side, not one
// category after another.
func TestGate_readsConcurrentlyWithinMaxConcurrency(t *testing.T) {
	images := append(fakesas.DemoImages(gateAt), fakesas.GenerateImages(400, 7)...)
	fake := fakesas.New(fakesas.Options{Images: images, Latency: 10 * time.Millisecond})
	t.Cleanup(fake.Close)
	counter := &inFlight{next: fake, now: map[string]int{}}
	server := httptest.NewServer(counter)
	t.Cleanup(server.Close)
	probe := startFake(t, fakesas.Options{Images: images})
	digests := digestsOf(releaseImages(t, probe))
	const limit = 4
	ds := NewImageGateDataSource()
	var schemaResp datasource.SchemaResponse
	ds.Schema(t.Context(), datasource.SchemaRequest{}, &schemaResp)
	object := schemaResp.Schema.Type().TerraformType(t.Context()).(tftypes.Object)
	config := map[string]tftypes.Value{}
	for name, v := range everyBlock(digests) {
		config[name] = tfValueOf(t, object.AttributeTypes[name], v)
	}
	diags, _ := readDirect(t, ds, strings.TrimPrefix(server.URL, "http://"), limit, config)
	requireNoGateDiagnostics(t, diags)
	if counter.most != limit || counter.mostActions < 3 {
		t.Errorf("at most %d requests in flight (want max_concurrency, %d), of at most %d actions at once (want 3 or more)", counter.most, limit, counter.mostActions)
	}
}
