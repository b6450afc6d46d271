package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// Defaults and bounds of sas_image_gate.
const (
	maxGateImages        = 100
	defaultExpiryWarning = 14 * 24 * time.Hour
	maxExceptionLife     = 366 * 24 * time.Hour
	// digestsPerLookup bounds the digests one DescribeImageInstances query
	// carries (as OR-ed criteria, about 90 bytes each in the URL).
	digestsPerLookup = 20
)

// NewImageGateDataSource returns the sas_image_gate data source.
func NewImageGateDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageGateModel, gateRequest, gateResult]{
		typeName: "image_gate",
		description: "One typed release policy over the images of a release: their vulnerabilities, baseline checks, secrets and " +
			"malicious files, and how recently they were scanned, with **accepted-risk exceptions that expire**. It reads what the " +
			"policy needs (only the categories with a block), through the same operations as `sas_image_vulnerabilities`, " +
			"`sas_image_baselines`, `sas_image_sensitive_files` and `sas_image_malicious_files`, and returns the verdict: `passed`, " +
			"every violation, what the exceptions covered, and which exceptions expired or went unused.\n\n" +
			"Violations are data, not errors: the read succeeds and a `precondition` (or a policy over the plan JSON) decides. " +
			"It fails closed: an image never scanned, or scanned longer ago than `max_scan_age`, is a violation; a category that " +
			"cannot be read fails the read; an image that does not exist is an error.",
		attributes: gateAttributes(),
		validators: []datasource.ConfigValidator{gateConfigValidator{}},
		listings:   riskListings,
		request:    (*imageGateModel).request,
		read:       readGate,
		flatten:    func(m *imageGateModel, _ gateRequest, res gateResult) { m.flatten(res) },
	})
}

type imageGateModel struct {
	ID                types.String         `tfsdk:"id"`
	Digests           types.List           `tfsdk:"digests"`
	ImageUUIDs        types.List           `tfsdk:"image_uuids"`
	MaxScanAge        types.String         `tfsdk:"max_scan_age"`
	Vulnerabilities   *gateVulnsModel      `tfsdk:"vulnerabilities"`
	Baselines         *gateLevelsModel     `tfsdk:"baselines"`
	SensitiveFiles    *gateRiskLevelsModel `tfsdk:"sensitive_files"`
	MaliciousFiles    *gateLevelsModel     `tfsdk:"malicious_files"`
	Exceptions        []gateExceptionModel `tfsdk:"exceptions"`
	ExpiryWarning     types.String         `tfsdk:"expiry_warning"`
	At                timetypes.RFC3339    `tfsdk:"at"`
	Passed            types.Bool           `tfsdk:"passed"`
	Violations        []gateViolationModel `tfsdk:"violations"`
	Excepted          []gateExceptedModel  `tfsdk:"excepted"`
	ExpiredExceptions []gateExceptionRef   `tfsdk:"expired_exceptions"`
	UnusedExceptions  []gateExceptionRef   `tfsdk:"unused_exceptions"`
	Images            []gateImageModel     `tfsdk:"images"`
	Summary           types.Object         `tfsdk:"summary"`
}

type gateVulnsModel struct {
	Necessities          types.Set     `tfsdk:"necessities"`
	OnlyFixable          types.Bool    `tfsdk:"only_fixable"`
	MinCVSS              types.Float64 `tfsdk:"min_cvss"`
	AllowUnknownSeverity types.Bool    `tfsdk:"allow_unknown_severity"`
}

type gateLevelsModel struct {
	Levels types.Set `tfsdk:"levels"`
}

type gateRiskLevelsModel struct {
	RiskLevels types.Set `tfsdk:"risk_levels"`
}

type gateExceptionModel struct {
	Kind    types.String `tfsdk:"kind"`
	ID      types.String `tfsdk:"id"`
	Scope   types.List   `tfsdk:"scope"`
	Expires types.String `tfsdk:"expires"`
	Reason  types.String `tfsdk:"reason"`
}

type gateViolationModel struct {
	ImageUUID      types.String `tfsdk:"image_uuid"`
	ImageReference types.String `tfsdk:"image_reference"`
	Kind           types.String `tfsdk:"kind"`
	ID             types.String `tfsdk:"id"`
	Title          types.String `tfsdk:"title"`
	Level          types.String `tfsdk:"level"`
	Fixable        types.Bool   `tfsdk:"fixable"`
	Fix            types.String `tfsdk:"fix"`
	Detail         types.String `tfsdk:"detail"`
}

type gateExceptedModel struct {
	gateViolationModel
	Reason  types.String `tfsdk:"reason"`
	Expires types.String `tfsdk:"expires"`
}

type gateExceptionRef struct {
	Kind    types.String `tfsdk:"kind"`
	ID      types.String `tfsdk:"id"`
	Expires types.String `tfsdk:"expires"`
	Reason  types.String `tfsdk:"reason"`
}

type gateImageModel struct {
	UUID           types.String      `tfsdk:"uuid"`
	ImageReference types.String      `tfsdk:"image_reference"`
	Scanned        types.Bool        `tfsdk:"scanned"`
	LastScannedAt  timetypes.RFC3339 `tfsdk:"last_scanned_at"`
	Passed         types.Bool        `tfsdk:"passed"`
	Violations     types.Int64       `tfsdk:"violations"`
}

func gateAttributes() map[string]schema.Attribute {
	violation := map[string]schema.Attribute{
		"image_uuid":      computedString("`uuid` of the image record."),
		"image_reference": computedString("Digest-pinned reference of the image, as `sas_image_instance` builds it."),
		"kind":            computedString("What is violated: " + quoted(violationKinds) + "."),
		"id": computedString("What the finding is: the vulnerability's name (such as `centos:7:CVE-2018-25224`), the check item's key, " +
			"the secret type's key, the malware's MD5; the image's `uuid` for `not_scanned` and `stale_scan`."),
		"title":   computedString("Its title, in English: a vulnerability's alias, a check item's name, a secret type's name, a malicious file's name; for the scan kinds, what is wrong."),
		"level":   computedString("Its level: a vulnerability's fix priority (`asap`, `later`, `nntf`), a baseline's level, a secret's risk level, a malicious file's level; null for the scan kinds."),
		"fixable": computedBool("Whether a fix exists (vulnerabilities); null where it does not apply."),
		"fix":     computedString("The upgrade command(s) of a vulnerability, the service's advice for a secret, what to do for the scan kinds; null when there is none."),
		"detail": computedString("The affected packages of a vulnerability, the baseline of a check item, the number of files and up to five paths " +
			"of a secret (never its excerpt), the path of a malicious file, the last scan of the scan kinds."),
	}
	exceptedAttrs := map[string]schema.Attribute{
		"reason":  computedString("The exception's `reason`."),
		"expires": computedString("The exception's `expires`, as configured."),
	}
	for name, a := range violation {
		exceptedAttrs[name] = a
	}
	exceptionRef := map[string]schema.Attribute{
		"kind":    computedString("The exception's `kind`."),
		"id":      computedString("The exception's `id`."),
		"expires": computedString("The exception's `expires`, as configured."),
		"reason":  computedString("The exception's `reason`."),
	}
	optionalLevels := func(name string, levels []string, defaults string) schema.SetAttribute {
		return optionalChoices(fmt.Sprintf("Block findings of these %s: %s. Defaults to %s.", name, quoted(levels), defaults), levels)
	}
	return map[string]schema.Attribute{
		"digests": schema.ListAttribute{
			Optional:    true,
			ElementType: types.StringType,
			MarkdownDescription: fmt.Sprintf("The images of the release by digest, with or without `sha256:`, in any case: 1 to %d. "+
				"Every image record holding a digest is gated (the same image in several repositories). Exactly one of `digests` and `image_uuids`.", maxGateImages),
			Validators: []validator.List{listvalidator.SizeBetween(1, maxGateImages), listvalidator.ValueStringsAre(digestValidator())},
		},
		"image_uuids": schema.ListAttribute{
			Optional:    true,
			ElementType: types.StringType,
			MarkdownDescription: fmt.Sprintf("The images of the release by `uuid`: 1 to %d. The service has no lookup by uuid, so the gate "+
				"lists every image of the account to find them: prefer `digests`. Exactly one of `digests` and `image_uuids`.", maxGateImages),
			Validators: []validator.List{listvalidator.SizeBetween(1, maxGateImages), listvalidator.ValueStringsAre(imageUUIDValidator())},
		},
		"max_scan_age": optionalString("An image last scanned longer ago than this Go duration, such as `168h`, is a `stale_scan` violation. "+
			"Unset: any scan age. An image never scanned is always a `not_scanned` violation.", durationValidator()),
		"vulnerabilities": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Block vulnerabilities (`DescribeImageVulList`): one violation per unfixed row (`unfixed`, `fixing` or an unknown status) " +
				"of a blocked fix priority, or with `min_cvss` of a high enough score. Unset: vulnerabilities are not read.",
			Attributes: map[string]schema.Attribute{
				"necessities": optionalLevels("fix priorities", vulNecessities, "`[\"asap\"]`"),
				"only_fixable": optionalBool("Only rows that have a fix (`can_fix`) block; a row whose fix is unknown blocks too. " +
					"Defaults to `true`."),
				"min_cvss": schema.Float64Attribute{
					Optional: true,
					MarkdownDescription: "Also block any row whose highest CVSS score (`DescribeVulDetails`, read once per distinct name) is at least this, " +
						"whatever its fix priority. A row whose CVEs carry no score blocks too, unless `allow_unknown_severity`.",
					Validators: []validator.Float64{float64validator.Between(0, 10)},
				},
				"allow_unknown_severity": optionalBool("With `min_cvss`, let rows whose CVEs carry no score pass. Defaults to `false`: unknown is not safe."),
			},
		},
		"baselines": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Block failed baseline checks (`DescribeImageBaselineCheckResult`, `DescribeImageBaselineItemList`): one violation " +
				"per check item of a blocked baseline level that is neither fixed nor whitelisted in Security Center (pending or failed " +
				"verification blocks). Unset: baselines are not read.",
			Attributes: map[string]schema.Attribute{"levels": optionalLevels("baseline levels", baselineLevels, "`[\"high\"]`")},
		},
		"sensitive_files": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Block secrets baked into the images (`DescribeImageSensitiveFileList`, `DescribeImageSensitiveFileByKey`): one " +
				"violation per secret type with unprocessed findings. Unset: secrets are not read.",
			Attributes: map[string]schema.Attribute{"risk_levels": optionalLevels("risk levels", sensitiveRiskLevels, "all three")},
		},
		"malicious_files": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Block malicious files (`DescribeAffectedMaliciousFileImages`, `DescribeGroupedMaliciousFiles`): one violation per " +
				"file that is neither `handled` nor `whitelisted` (`verifying` blocks). Unset: malicious files are not read.",
			Attributes: map[string]schema.Attribute{"levels": optionalLevels("levels", maliciousLevels, "all three")},
		},
		"exceptions": schema.ListNestedAttribute{
			Optional: true,
			MarkdownDescription: "Accepted risks. A finding of an exception's `kind` whose `id` it names, on an image in its `scope`, is listed in " +
				"`excepted` instead of `violations` until the exception expires; then it is a violation again. The first exception that matches a finding " +
				"covers it. Each exception that expired, or expires within `expiry_warning`, is named in a warning. The scan kinds cannot be excepted.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"kind": schema.StringAttribute{Required: true, MarkdownDescription: "What it accepts: " + quoted(exceptionKinds) + ".",
					Validators: []validator.String{stringvalidator.OneOf(exceptionKinds...)}},
				"id": schema.StringAttribute{Required: true,
					MarkdownDescription: "What it accepts, compared in any case: for a vulnerability its name or any CVE id among its CVEs; for a baseline the check " +
						"item's key or the baseline's key; for a sensitive file the secret type's key; for a malicious file the MD5.",
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
				"scope": schema.ListAttribute{Optional: true, ElementType: types.StringType,
					MarkdownDescription: "Repository names (`name` or `namespace/name`, compared exactly) or digests (`sha256:` optional, any case) the exception applies to. Unset: every image of the gate.",
					Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}},
				"expires": schema.StringAttribute{Required: true,
					MarkdownDescription: fmt.Sprintf("When it stops applying: a date such as `2027-01-31` (valid through that day, UTC) or an RFC 3339 time; "+
						"at most %d days after `at`.", int(maxExceptionLife.Hours()/24)),
					Validators: []validator.String{expiryValidator()}},
				"reason": schema.StringAttribute{Required: true, MarkdownDescription: "Why the risk is accepted, such as a ticket: required, not empty.",
					Validators: []validator.String{stringvalidator.RegexMatches(nonBlank, "must not be empty")}},
			}},
		},
		"expiry_warning": optionalString("A warning names each exception that expires within this Go duration, and each expired one. "+
			"Defaults to `336h` (14 days).", durationValidator()),
		"at": schema.StringAttribute{
			Optional:            true,
			CustomType:          timetypes.RFC3339Type{},
			MarkdownDescription: fmt.Sprintf("The time the policy is evaluated at, RFC 3339: for the scan age, the exceptions' expiry and their %d-day limit. Unset: the time of the read.", int(maxExceptionLife.Hours()/24)),
		},
		"passed": computedBool("`true` when there is no violation."),
		"violations": computedObjects("The violations, ordered by image (in the order given), then kind (in the order "+quoted(violationKinds)+
			"), then level (most severe first), then `id`.", violation),
		"excepted":           computedObjects("The findings an exception covered, in the order of `violations`, with the exception's `reason` and `expires`.", exceptedAttrs),
		"expired_exceptions": computedObjects("The exceptions past `expires`: their findings are violations again.", exceptionRef),
		"unused_exceptions":  computedObjects("The exceptions that have not expired and covered nothing: entries to delete.", exceptionRef),
		"images": computedObjects("The images gated, in the order given (the records of one digest by `uuid`).", map[string]schema.Attribute{
			"uuid":            computedString("`uuid` of the image record."),
			"image_reference": computedString("Digest-pinned reference of the image."),
			"scanned":         computedBool("Whether its last scan completed."),
			"last_scanned_at": computedTime("Its last scan, RFC 3339 in UTC; null when never scanned."),
			"passed":          computedBool("`true` when the image has no violation."),
			"violations":      computedInt64("Its number of violations."),
		}),
		"summary": gateSummary.attribute(),
	}
}

var nonBlank = regexp.MustCompile(`\S`)

// gateRequest is the arguments in plain Go: the images and the policy.
type gateRequest struct {
	digests    []string // bare, lower case, each once
	imageUUIDs []string // each once
	policy     gatePolicy
}

func (m *imageGateModel) request(ctx context.Context) (gateRequest, diag.Diagnostics) {
	var r gateRequest
	var diags diag.Diagnostics
	diags.Append(m.Digests.ElementsAs(ctx, &r.digests, false)...)
	diags.Append(m.ImageUUIDs.ElementsAs(ctx, &r.imageUUIDs, false)...)
	for k, d := range r.digests {
		r.digests[k] = normalizeDigestText(d)
	}
	r.digests, r.imageUUIDs = distinct(r.digests), distinct(r.imageUUIDs)
	p := &r.policy
	p.at = time.Now().UTC()
	if !m.At.IsNull() {
		at, d := m.At.ValueRFC3339Time()
		diags.Append(d...)
		p.at = at.UTC()
	}
	p.maxScanAge, _ = parsePositiveDuration(m.MaxScanAge.ValueString())
	p.expiryWarning = defaultExpiryWarning
	if !m.ExpiryWarning.IsNull() {
		p.expiryWarning, _ = parsePositiveDuration(m.ExpiryWarning.ValueString())
	}
	if v := m.Vulnerabilities; v != nil {
		p.vulns = &vulnPolicy{necessities: setOr(ctx, v.Necessities, []string{"asap"}, &diags),
			onlyFixable: v.OnlyFixable.IsNull() || v.OnlyFixable.ValueBool(), allowUnknownSeverity: v.AllowUnknownSeverity.ValueBool()}
		if !v.MinCVSS.IsNull() {
			score := v.MinCVSS.ValueFloat64()
			p.vulns.minCVSS = &score
		}
	}
	if b := m.Baselines; b != nil {
		p.baselines = &levelPolicy{levels: setOr(ctx, b.Levels, []string{sasapi.BaselineLevelHigh}, &diags), known: baselineLevels}
	}
	if s := m.SensitiveFiles; s != nil {
		p.secrets = &levelPolicy{levels: setOr(ctx, s.RiskLevels, sensitiveRiskLevels, &diags), known: sensitiveRiskLevels}
	}
	if f := m.MaliciousFiles; f != nil {
		p.malware = &levelPolicy{levels: setOr(ctx, f.Levels, maliciousLevels, &diags), known: maliciousLevels}
	}
	for k, e := range m.Exceptions {
		exc, d := e.exception(ctx, path.Root("exceptions").AtListIndex(k), p.at)
		diags.Append(d...)
		p.exceptions = append(p.exceptions, exc)
	}
	diags.Append(checkGateConfig(m.Digests, m.ImageUUIDs, m.Vulnerabilities != nil || m.Baselines != nil || m.SensitiveFiles != nil || m.MaliciousFiles != nil)...)
	return r, diags
}

// setOr is a set argument's strings, sorted, or def when it is not set.
func setOr(ctx context.Context, set types.Set, def []string, diags *diag.Diagnostics) []string {
	if set.IsNull() {
		return def
	}
	var out []string
	diags.Append(set.ElementsAs(ctx, &out, false)...)
	slices.Sort(out)
	return out
}

// exception reads one exception, checking what its attributes' own
// validators could not: an expiry too far after at.
func (e gateExceptionModel) exception(ctx context.Context, at path.Path, now time.Time) (gateException, diag.Diagnostics) {
	var diags diag.Diagnostics
	exc := gateException{kind: e.Kind.ValueString(), id: e.ID.ValueString(), expiresText: e.Expires.ValueString(), reason: e.Reason.ValueString()}
	var scope []string
	diags.Append(e.Scope.ElementsAs(ctx, &scope, false)...)
	for _, s := range scope {
		exc.scope = append(exc.scope, normalizeDigestText(s))
	}
	until, err := parseExpiry(exc.expiresText)
	if err != nil {
		diags.AddAttributeError(at.AtName("expires"), "Invalid exception expiry", attributeDetail(at.AtName("expires"), err.Error()))
		return exc, diags
	}
	exc.until = until
	if until.Sub(now) > maxExceptionLife {
		diags.AddAttributeError(at.AtName("expires"), "Exception expires too late", attributeDetail(at.AtName("expires"),
			fmt.Sprintf("The exception for %s %q expires %s, more than %d days after %s: an accepted risk must come back within a year. "+
				"Set an earlier expires, and renew the exception when it is due.", exc.kind, exc.id, exc.expiresText, int(maxExceptionLife.Hours()/24), now.Format(time.RFC3339))))
	}
	return exc, diags
}

// distinct drops repeated values, keeping the first order.
func distinct(values []string) []string {
	out := values[:0]
	for _, v := range values {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// gateResult is what a gate read found and concluded.
type gateResult struct {
	images  []gateImage
	verdict gateVerdict
}

// readGate resolves the images, reads the categories the policy has a
// block for, concurrently, and evaluates the policy. Expiring and expired
// exceptions are warnings.
func readGate(ctx context.Context, r *reader, req gateRequest) (gateResult, error) {
	images, err := resolveGateImages(ctx, r, req)
	if err != nil {
		return gateResult{}, err
	}
	if err := readGateCategories(ctx, r, &req.policy, images); err != nil {
		return gateResult{}, err
	}
	v := req.policy.evaluate(images)
	for _, e := range v.expired {
		r.warn(fmt.Sprintf("Exception expired: %s %s", e.kind, e.id), fmt.Sprintf("The exception for %s %q expired %s (reason: %s): its findings are violations again. "+
			"Fix them, or renew the exception with a new expires.", e.kind, e.id, e.expiresText, e.reason))
	}
	for _, e := range v.expiring {
		r.warn(fmt.Sprintf("Exception expires soon: %s %s", e.kind, e.id), fmt.Sprintf("The exception for %s %q expires %s (reason: %s), within expiry_warning: "+
			"after that its findings block the release again.", e.kind, e.id, e.expiresText, e.reason))
	}
	return gateResult{images: images, verdict: v}, nil
}

// resolveGateImages finds the image records of the release: the digests'
// records in a few listings at once (several records may hold one digest:
// each is gated), or the uuids' among every image of the account.
func resolveGateImages(ctx context.Context, r *reader, req gateRequest) ([]gateImage, error) {
	if len(req.imageUUIDs) > 0 {
		listing, err := list(ctx, r, sasapi.DescribeImageInstances, sasapi.ImageQuery{}, sasapi.ListOptions{})
		if err != nil {
			return nil, err
		}
		return pickImages(req.imageUUIDs, listing.Items, func(i *sasapi.ImageInstance) string { return i.Uuid.Value }, "uuid")
	}
	var queries []sasapi.ImageQuery
	for batch := range slices.Chunk(req.digests, digestsPerLookup) {
		q := sasapi.ImageQuery{LogicalExp: sasapi.LogicalOr}
		for _, d := range batch {
			q.Criteria = append(q.Criteria, sasapi.Criterion{Name: "digest", Value: d})
		}
		queries = append(queries, q)
	}
	listings, err := listEach(ctx, r, sasapi.DescribeImageInstances, queries, sasapi.ListOptions{})
	if err != nil {
		return nil, err
	}
	var found []sasapi.ImageInstance
	for _, l := range listings {
		found = append(found, l.Items...)
	}
	return pickImages(req.digests, found, func(i *sasapi.ImageInstance) string { return normalizeDigestText(i.Digest.Value) }, "digest")
}

// pickImages orders the records by the keys asked for (the records of one
// key by uuid); a key no record holds is an error naming it.
func pickImages(keys []string, found []sasapi.ImageInstance, keyOf func(*sasapi.ImageInstance) string, what string) ([]gateImage, error) {
	var images []gateImage
	var missing []string
	for _, key := range keys {
		var matched []sasapi.ImageInstance
		for k := range found {
			if keyOf(&found[k]) == key {
				matched = append(matched, found[k])
			}
		}
		if len(matched) == 0 {
			missing = append(missing, key)
			continue
		}
		slices.SortFunc(matched, func(a, b sasapi.ImageInstance) int { return strings.Compare(a.Uuid.Value, b.Uuid.Value) })
		for _, img := range matched {
			images = append(images, gateImage{image: img})
		}
	}
	if len(missing) > 0 {
		return nil, &unknownImages{what: what, keys: missing}
	}
	return images, nil
}

// unknownImages is a gate naming images Security Center does not know.
type unknownImages struct {
	what string
	keys []string
}

func (e *unknownImages) Error() string {
	return "unknown image " + e.what + ": " + strings.Join(e.keys, ", ")
}

func (e *unknownImages) summary() string {
	return "Security Center does not know an image of the release"
}

func (e *unknownImages) detail() string {
	return fmt.Sprintf("No image record has the %s %s. An image Security Center does not know was never scanned, so the gate cannot "+
		"pass it. Check the %s (a digest is 64 hex digits of the manifest, as sas_image_instance returns it), or that the image was pushed "+
		"to a registry Security Center watches and synchronised.", e.what, strings.Join(e.keys, ", "), e.what)
}

// readGateCategories reads what the policy's blocks need of the scanned
// images: their vulnerabilities in one listing (and each distinct name's
// CVEs once, for min_cvss), and each image's baselines, secrets and
// malicious files, all at once. An image never scanned has nothing to
// read: it is a violation by itself.
func readGateCategories(ctx context.Context, r *reader, p *gatePolicy, images []gateImage) error {
	var scanned []int
	for k := range images {
		if isScanned(&images[k].image) {
			scanned = append(scanned, k)
		}
	}
	var tasks []func(context.Context) error
	if p.vulns != nil && len(scanned) > 0 {
		tasks = append(tasks, func(ctx context.Context) error { return readGateVulns(ctx, r, p.vulns, images, scanned) })
	}
	for _, k := range scanned {
		g := &images[k]
		uuid := g.image.Uuid.Value
		if p.baselines != nil {
			tasks = append(tasks, func(ctx context.Context) error {
				res, err := readBaselines(ctx, r, imageBaselinesRequest{query: sasapi.ImageBaselineQuery{ImageUuid: uuid, RiskLevels: p.baselines.levels, Lang: langs[0]}, withItems: true})
				g.baselines = flattenBaselines(res.baselines, res.items)
				return err
			})
		}
		if p.secrets != nil {
			tasks = append(tasks, func(ctx context.Context) error {
				// One level is the service's filter; several are the policy's,
				// which blocks a type whose level is missing (readSensitiveFiles
				// would drop it).
				req := sensitiveFilesRequest{query: sasapi.SensitiveFileQuery{ImageUuid: uuid, Lang: langs[0]}, withFiles: true}
				if len(p.secrets.levels) == 1 {
					req.query.RiskLevel = p.secrets.levels[0]
				}
				res, err := readSensitiveFiles(ctx, r, req)
				g.secrets = flattenSensitiveTypes(res.types, res.files)
				return err
			})
		}
		if p.malware != nil {
			tasks = append(tasks, func(ctx context.Context) error {
				query := sasapi.MaliciousFileQuery{ImageDigest: normalizeDigestText(g.image.Digest.Value), Levels: p.malware.levels, Lang: langs[0]}
				res, err := readMaliciousFiles(ctx, r, maliciousFilesRequest{query: query, imageUUID: uuid})
				g.malware = flattenMaliciousFiles(res.files, res.names)
				return err
			})
		}
	}
	return r.client.Each(ctx, len(tasks), func(ctx context.Context, k int) error { return tasks[k](ctx) })
}

// readGateVulns reads the vulnerability rows of every scanned image in one
// listing, with their details for min_cvss, and hands each image its rows.
func readGateVulns(ctx context.Context, r *reader, p *vulnPolicy, images []gateImage, scanned []int) error {
	a := vulArguments{withDetails: p.minCVSS != nil}
	a.query.Lang = langs[0]
	for _, k := range scanned {
		a.query.Uuids = append(a.query.Uuids, images[k].image.Uuid.Value)
	}
	if len(p.necessities) == 1 && p.minCVSS == nil {
		a.query.Necessity = p.necessities[0]
	}
	res, err := readVulnerabilities(ctx, r, a)
	if err != nil {
		return err
	}
	byImage := map[string]int{}
	for _, k := range scanned {
		byImage[images[k].image.Uuid.Value] = k
	}
	for i := range res.rows {
		if k, ok := byImage[res.rows[i].Uuid.Value]; ok {
			images[k].vulns = append(images[k].vulns, flattenVulnerability(&res.rows[i], res.details, a.withDetails))
		}
	}
	return nil
}

// flatten sets the verdict.
func (m *imageGateModel) flatten(res gateResult) {
	v := res.verdict
	refs := make([]types.String, len(res.images))
	for k := range res.images {
		refs[k] = imageReference(&res.images[k].image)
	}
	model := func(f finding) gateViolationModel {
		img := &res.images[f.image].image
		return gateViolationModel{ImageUUID: stringValue(img.Uuid), ImageReference: refs[f.image], Kind: types.StringValue(f.kind),
			ID: types.StringValue(f.id), Title: f.title, Level: f.level, Fixable: f.fixable, Fix: f.fix, Detail: types.StringValue(f.detail)}
	}
	m.Violations = make([]gateViolationModel, len(v.violations))
	counts := make([]int64, len(res.images))
	for k, f := range v.violations {
		m.Violations[k] = model(f)
		counts[f.image]++
	}
	m.Excepted = make([]gateExceptedModel, len(v.excepted))
	for k, x := range v.excepted {
		m.Excepted[k] = gateExceptedModel{gateViolationModel: model(x.finding), Reason: types.StringValue(x.exception.reason), Expires: types.StringValue(x.exception.expiresText)}
	}
	m.ExpiredExceptions, m.UnusedExceptions = exceptionRefs(v.expired), exceptionRefs(v.unused)
	m.Images = make([]gateImageModel, len(res.images))
	for k := range res.images {
		img := &res.images[k].image
		m.Images[k] = gateImageModel{UUID: stringValue(img.Uuid), ImageReference: refs[k], Scanned: types.BoolValue(isScanned(img)),
			LastScannedAt: rfc3339OrNever(img.LastScanTime), Passed: types.BoolValue(counts[k] == 0), Violations: types.Int64Value(counts[k])}
	}
	m.Passed = types.BoolValue(len(v.violations) == 0)
	m.Summary = gateSummary.of([]verdictOf{{res: &res}}, nil)
}

func exceptionRefs(exceptions []*gateException) []gateExceptionRef {
	out := make([]gateExceptionRef, len(exceptions))
	for k, e := range exceptions {
		out[k] = gateExceptionRef{Kind: types.StringValue(e.kind), ID: types.StringValue(e.id), Expires: types.StringValue(e.expiresText), Reason: types.StringValue(e.reason)}
	}
	return out
}

// verdictOf is the one row the gate's summary counts over.
type verdictOf struct{ res *gateResult }

func (v *verdictOf) violationsOf(kind string) int64 {
	var n int64
	for _, f := range v.res.verdict.violations {
		if f.kind == kind {
			n++
		}
	}
	return n
}

// gateSummary is the summary of sas_image_gate.
var gateSummary = summaryTable[verdictOf]{
	intro: "Counts of the verdict. `violations` is 0 exactly when `passed`.",
	counts: []summaryCount[verdictOf]{
		{name: "images", desc: "Images gated.", sum: func(v *verdictOf) int64 { return int64(len(v.res.images)) }},
		{name: "not_scanned", desc: "Images never successfully scanned (`not_scanned` violations).", sum: func(v *verdictOf) int64 { return v.violationsOf(kindNotScanned) }},
		{name: "violations", desc: "Violations, every kind.", sum: func(v *verdictOf) int64 { return int64(len(v.res.verdict.violations)) }},
		{name: "excepted", desc: "Findings an exception covered.", sum: func(v *verdictOf) int64 { return int64(len(v.res.verdict.excepted)) }},
		{name: "stale_scan", desc: "`stale_scan` violations.", sum: func(v *verdictOf) int64 { return v.violationsOf(kindStaleScan) }},
		{name: "vulnerability", desc: "`vulnerability` violations.", sum: func(v *verdictOf) int64 { return v.violationsOf(kindVulnerability) }},
		{name: "baseline", desc: "`baseline` violations.", sum: func(v *verdictOf) int64 { return v.violationsOf(kindBaseline) }},
		{name: "sensitive_file", desc: "`sensitive_file` violations.", sum: func(v *verdictOf) int64 { return v.violationsOf(kindSensitiveFile) }},
		{name: "malicious_file", desc: "`malicious_file` violations.", sum: func(v *verdictOf) int64 { return v.violationsOf(kindMaliciousFile) }},
	},
}

// gateConfigValidator checks at plan time what no attribute's validator
// can: which images, at least one policy block, and each exception's
// expiry against at.
type gateConfigValidator struct{}

func (gateConfigValidator) Description(context.Context) string {
	return "exactly one of digests and image_uuids, at least one policy block, exceptions that expire within a year"
}

func (v gateConfigValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (gateConfigValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	// Attribute by attribute: any may be unknown here (a variable, in the
	// validation Terraform runs before it plans), which the model's slice
	// of exceptions and pointers to blocks cannot hold.
	var digests, imageUUIDs, exceptions types.List
	var at timetypes.RFC3339
	blocks := make([]types.Object, 4)
	targets := []struct {
		name   string
		target any
	}{
		{"digests", &digests}, {"image_uuids", &imageUUIDs}, {"exceptions", &exceptions}, {"at", &at},
		{"vulnerabilities", &blocks[0]}, {"baselines", &blocks[1]}, {"sensitive_files", &blocks[2]}, {"malicious_files", &blocks[3]},
	}
	for _, t := range targets {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(t.name), t.target)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	policySet := slices.ContainsFunc(blocks, func(b types.Object) bool { return !b.IsNull() })
	resp.Diagnostics.Append(checkGateConfig(digests, imageUUIDs, policySet)...)
	if at.IsUnknown() || exceptions.IsNull() || exceptions.IsUnknown() {
		return
	}
	now := time.Now().UTC()
	if !at.IsNull() {
		if t, d := at.ValueRFC3339Time(); !d.HasError() {
			now = t
		}
	}
	for k, elem := range exceptions.Elements() {
		obj, ok := elem.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		var e gateExceptionModel
		if d := obj.As(ctx, &e, basetypes.ObjectAsOptions{}); d.HasError() {
			resp.Diagnostics.Append(d...)
			continue
		}
		if e.Expires.IsUnknown() || e.Expires.IsNull() || e.Scope.IsUnknown() {
			continue
		}
		if _, d := e.exception(ctx, path.Root("exceptions").AtListIndex(k), now); d.HasError() {
			resp.Diagnostics.Append(d...)
		}
	}
}

// checkGateConfig reports a configuration that names no images or both
// kinds, or that has no policy block (policySet: one is set, or unknown).
// It says nothing of values unknown until apply.
func checkGateConfig(digests, imageUUIDs types.List, policySet bool) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case digests.IsUnknown() || imageUUIDs.IsUnknown():
	case digests.IsNull() && imageUUIDs.IsNull():
		diags.AddError("No images to gate", "Set digests (the digests of the release's images) or image_uuids: the gate needs to know which images to check.")
	case !digests.IsNull() && !imageUUIDs.IsNull():
		diags.AddAttributeError(path.Root("image_uuids"), "Both digests and image_uuids",
			"Set exactly one of digests and image_uuids: they are two ways to name the same images.")
	}
	if !policySet {
		diags.AddError("No policy block", "Set at least one of vulnerabilities, baselines, sensitive_files and malicious_files "+
			"(each may be empty, such as vulnerabilities = {}, to take its defaults): a gate without a policy would check only the scans.")
	}
	return diags
}
