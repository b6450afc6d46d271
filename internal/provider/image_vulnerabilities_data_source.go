package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// NewImageVulnerabilitiesDataSource returns the sas_image_vulnerabilities data source.
func NewImageVulnerabilitiesDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageVulnerabilitiesModel, vulArguments, vulRead]{
		typeName: "image_vulnerabilities",
		description: "Lists the vulnerabilities Security Center found in container images (`DescribeImageVulList`, `Type = cve`), " +
			"one row per image and vulnerability, with the fix priority, whether a fix exists, the affected packages and their " +
			"upgrade command; with `with_cve_details`, also the CVSS score and severity of each CVE (`DescribeVulDetails`). " +
			"Every page is read; rows are de-duplicated by image, name and record id.\n\n" +
			"An image that was never successfully scanned has **no** rows: no rows means *unknown*, not *safe*, unless " +
			"`sas_image_instances` shows the image scanned. Gates should check that too.",
		attributes: map[string]schema.Attribute{
			"image_uuids": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("Images to look at: the `uuid` values `sas_image_instances` returns (for example its `ids`). "+
					"Sent as the comma-separated `Uuids`, %d per request: a longer list is read in batches of %d, one after the other. "+
					"Repeated values are read once.", sasapi.UuidsPerRequest, sasapi.UuidsPerRequest),
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(imageUUIDValidator())},
			},
			"digest":           digestArgument("Image (manifest) digest, 64 hexadecimal characters as `sas_image_instances` returns it. A `sha256:` prefix is accepted and stripped."),
			"repo_name":        optionalString("Repository name."),
			"repo_namespace":   optionalString("Repository namespace."),
			"repo_id":          optionalString("Repository id."),
			"repo_instance_id": optionalString("Id of the Container Registry instance holding the repositories."),
			"repo_region_id": optionalString("Region of the repositories, such as `cn-hangzhou`. Lookups are account-wide: the provider's " +
				"`region` only selects the API endpoint, so set this to narrow to one region."),
			"necessities": optionalChoices("Only rows with one of these fix priorities: "+quoted(vulNecessities)+". One value is sent to the service; "+
				"with several, every row is read and the others are dropped here. Unset: every priority.", vulNecessities),
			"statuses": optionalChoices("Only rows with one of these statuses: `unfixed` (the service's `1`), `fixing` (`4`), `fixed` (`7`). "+
				"One value is sent to the service; with several, every row is read and the others are dropped here. "+
				"Unset: every status, **fixed rows included**; a gate usually wants `[\"unfixed\", \"fixing\"]`.", namesOf(vulStatuses)),
			"name":        optionalString("Only rows of this vulnerability name, such as `debian:10:CVE-2019-9893`."),
			"max_results": maxResultsArgument("Return at most this many rows (at least 1), after the filters. `total_count` still reports what the service matched."),
			"page_size":   pageSizeArgument("Rows", ""),
			"lang":        langArgument("titles and descriptions"),
			"with_cve_details": optionalBool("When `true`, look every distinct vulnerability `name` of the result up with `DescribeVulDetails`, once per read, " +
				"concurrently within the provider's `max_concurrency`, and fill `severity`, `max_cvss_score`, `cves` and the severity counts " +
				"of `summary`. Defaults to `false`: one more request per distinct name."),
			"total_count": computedInt64("The rows the service reported for the query: the sum of `TotalCount` over the `image_uuids` batches, " +
				"before filtering by several `necessities` or `statuses` and before `max_results`."),
			"vulnerabilities": vulnerabilitiesAttribute(),
			"summary":         vulSummary.attribute(),
		},
		validators: []datasource.ConfigValidator{scopeValidator{what: "sas_image_vulnerabilities", attributes: vulScopeAttributes}},
		listings:   riskListings,
		request:    (*imageVulnerabilitiesModel).request,
		read:       readVulnerabilities,
		flatten: func(m *imageVulnerabilitiesModel, a vulArguments, res vulRead) {
			m.Vulnerabilities = make([]vulnerabilityModel, len(res.rows))
			for k := range res.rows {
				m.Vulnerabilities[k] = flattenVulnerability(&res.rows[k], res.details, a.withDetails)
			}
			m.Summary = vulSummary.of(m.Vulnerabilities, func(string) bool { return a.withDetails })
			m.TotalCount = types.Int64Value(int64(res.totalCount))
		},
	})
}

// vulScopeAttributes are the arguments that narrow a lookup to some images;
// one of them is required.
var vulScopeAttributes = []string{"image_uuids", "digest", "repo_name", "repo_namespace", "repo_id", "repo_instance_id", "repo_region_id"}

type imageVulnerabilitiesModel struct {
	ID              types.String         `tfsdk:"id"`
	ImageUUIDs      types.List           `tfsdk:"image_uuids"`
	Digest          types.String         `tfsdk:"digest"`
	RepoName        types.String         `tfsdk:"repo_name"`
	RepoNamespace   types.String         `tfsdk:"repo_namespace"`
	RepoID          types.String         `tfsdk:"repo_id"`
	RepoInstanceID  types.String         `tfsdk:"repo_instance_id"`
	RepoRegionID    types.String         `tfsdk:"repo_region_id"`
	Necessities     types.Set            `tfsdk:"necessities"`
	Statuses        types.Set            `tfsdk:"statuses"`
	Name            types.String         `tfsdk:"name"`
	MaxResults      types.Int64          `tfsdk:"max_results"`
	PageSize        types.Int64          `tfsdk:"page_size"`
	Lang            types.String         `tfsdk:"lang"`
	WithCVEDetails  types.Bool           `tfsdk:"with_cve_details"`
	TotalCount      types.Int64          `tfsdk:"total_count"`
	Vulnerabilities []vulnerabilityModel `tfsdk:"vulnerabilities"`
	Summary         types.Object         `tfsdk:"summary"`
}

// resultTimeNote ends the description of a time of a row.
const resultTimeNote = " RFC 3339 in UTC; null when the service sends 0 or nothing."

const detailsOnly = " Null unless `with_cve_details`."

func vulnerabilitiesAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: "The rows, one per image and vulnerability, in the service's order. A field the service did not send is null.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name":       computedString("Vulnerability name, such as `debian:10:CVE-2019-9893`: the key of `DescribeVulDetails`."),
			"alias_name": computedString("Human-readable title."),
			"cve_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "CVE ids of the vulnerability (the service's comma-separated `Related`, split)."},
			"type": computedString("Vulnerability type: `cve`."),
			"necessity": computedString("Fix priority, the service's own triage of the vulnerability in this image: `asap` (fix as soon as possible), " +
				"`later`, `nntf` (no need to fix). Not a CVSS severity: see `severity`."),
			"status": computedString("`unfixed`, `fixing` or `fixed` (the service's `1`, `4`, `7`); another code is kept as its number in a string."),
			"can_fix": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether a fix exists: the service's `CanFix` (`yes`/`no`); the packages' `update_cmd` applies it. Null when the service sends neither."},
			"can_update":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Security Center can upgrade the package itself."},
			"image_uuid":     computedString("`uuid` of the image, as in `sas_image_instances`."),
			"image":          computedString("Full image name, `registry/namespace/repository:tag`."),
			"image_digest":   computedString("Image digest."),
			"repo_name":      computedString("Repository name."),
			"repo_namespace": computedString("Repository namespace."),
			"layers": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Digests of the image layers the vulnerability is in."},
			"first_seen_at": computedTime("First detection." + resultTimeNote),
			"last_seen_at":  computedTime("Last detection." + resultTimeNote),
			"scanned_at":    computedTime("Time of the scan that reported the row." + resultTimeNote),
			"modified_at":   computedTime("Last change of the record." + resultTimeNote),
			"os":            computedString("Operating system of the image, such as `debian`."),
			"os_release":    computedString("Its release, such as `10.9`."),
			"packages": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Affected packages (`ExtendContentJson.RpmEntityList`).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":         computedString("Package name."),
					"version":      computedString("Installed version."),
					"full_version": computedString("Full version string."),
					"path":         computedString("Path of the vulnerable file."),
					"layer":        computedString("Digest of the layer that added the package."),
					"match_detail": computedString("Why the package matched, such as `openssl version less than 1.1.1n`."),
					"update_cmd":   computedString("Command that upgrades the package, such as `apt-get update && apt-get install openssl --only-upgrade`; empty when there is no fix."),
				}},
			},
			"severity": computedString("The highest CVE level (`VulLevel`) of its CVEs: " + quoted(vulSeverities) + ". Null when the details list " +
				"no CVE with a known level." + detailsOnly),
			"max_cvss_score": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "The highest CVSS score of its CVEs; null when none has a score." + detailsOnly},
			"cves": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The CVEs behind the vulnerability, from `DescribeVulDetails`; empty when the service knows none." + detailsOnly,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"cve_id":      computedString("CVE id."),
					"cvss_score":  schema.Float64Attribute{Computed: true, MarkdownDescription: "CVSS score; null when the service sends none (an empty string)."},
					"cvss_vector": computedString("CVSS vector."),
					"level":       computedString("Severity: " + quoted(vulSeverities) + "."),
					"title":       computedString("Title."),
					"summary":     computedString("Description."),
					"solution":    computedString("Fix advice; may contain HTML."),
					"published_at": schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{},
						MarkdownDescription: "Disclosure time, RFC 3339 in UTC; null when the service sends 0 or nothing."},
					"reference": computedString("Reference URL."),
				}},
			},
		}},
	}
}

func (m *imageVulnerabilitiesModel) request(ctx context.Context) (vulArguments, diag.Diagnostics) {
	var diags diag.Diagnostics
	a := vulArguments{
		maxResults:  int(m.MaxResults.ValueInt64()),
		pageSize:    int(m.PageSize.ValueInt64()),
		withDetails: m.WithCVEDetails.ValueBool(),
	}
	diags.Append(m.ImageUUIDs.ElementsAs(ctx, &a.query.Uuids, false)...)
	diags.Append(m.Necessities.ElementsAs(ctx, &a.necessities, false)...)
	diags.Append(m.Statuses.ElementsAs(ctx, &a.statuses, false)...)
	slices.Sort(a.necessities)
	slices.Sort(a.statuses)
	a.query.Digest = normalizeDigestText(m.Digest.ValueString())
	a.query.RepoName = m.RepoName.ValueString()
	a.query.RepoNamespace = m.RepoNamespace.ValueString()
	a.query.RepoId = m.RepoID.ValueString()
	a.query.RepoInstanceId = m.RepoInstanceID.ValueString()
	a.query.RepoRegionId = m.RepoRegionID.ValueString()
	a.query.Name = m.Name.ValueString()
	a.query.Lang = langOf(m.Lang)
	// One value goes to the service; several are filtered here, since no
	// list syntax of these parameters is documented.
	if len(a.necessities) == 1 {
		a.query.Necessity = a.necessities[0]
	}
	if len(a.statuses) == 1 {
		code, _ := codeOf(vulStatuses, a.statuses[0])
		a.query.StatusList = strconv.FormatInt(code, 10)
	}
	a.filterLocally = len(a.necessities) > 1 || len(a.statuses) > 1
	return a, diags
}

// vulRead is what a read found: the rows kept, the CVEs of each name with
// with_cve_details, and what the service counted.
type vulRead struct {
	rows       []sasapi.VulRecord
	details    map[string]vulNameDetails
	totalCount int
}

// readVulnerabilities reads the rows, and their details when asked.
func readVulnerabilities(ctx context.Context, r *reader, a vulArguments) (vulRead, error) {
	opts := sasapi.ListOptions{PageSize: a.pageSize, MaxResults: a.maxResults}
	if a.filterLocally {
		opts.MaxResults = 0 // the limit applies after the filter
	}
	listing, err := list(ctx, r, sasapi.DescribeImageVulList, a.query, opts)
	if err != nil {
		return vulRead{}, err
	}
	read := vulRead{rows: a.keep(listing.Items), totalCount: listing.TotalCount}
	if !a.withDetails {
		return read, nil
	}
	names := make([]string, len(read.rows))
	for k := range read.rows {
		names[k] = read.rows[k].Name.Value
	}
	cves, err := r.vulDetails(ctx, names, a.query.Lang)
	if err != nil {
		return vulRead{}, err
	}
	read.details = make(map[string]vulNameDetails, len(cves))
	for name, list := range cves {
		read.details[name] = convertNameDetails(list)
	}
	return read, nil
}

// The service's three vocabularies, each the single source of truth for
// its validator, its mapping and its documentation.
var (
	// vulNecessities are the fix priorities, most urgent first.
	vulNecessities = []string{"asap", "later", "nntf"}
	// vulStatuses map the service's status codes to words.
	vulStatuses = []statusCode{
		{sasapi.VulStatusUnfixed, "unfixed"},
		{sasapi.VulStatusFixing, "fixing"},
		{sasapi.VulStatusFixed, "fixed"},
	}
	// vulSeverities are the CVE levels (VulLevel), most severe first.
	vulSeverities = []string{"serious", "high", "medium", "low"}
)

type vulnerabilityModel struct {
	Name          types.String      `tfsdk:"name" state:"shared"`
	AliasName     types.String      `tfsdk:"alias_name" state:"shared"`
	CVEIDs        []string          `tfsdk:"cve_ids"`
	Type          types.String      `tfsdk:"type"`
	Necessity     types.String      `tfsdk:"necessity"`
	Status        types.String      `tfsdk:"status"`
	CanFix        types.Bool        `tfsdk:"can_fix"`
	CanUpdate     types.Bool        `tfsdk:"can_update"`
	ImageUUID     types.String      `tfsdk:"image_uuid" state:"shared"`
	Image         types.String      `tfsdk:"image" state:"shared"`
	ImageDigest   types.String      `tfsdk:"image_digest" state:"shared"`
	RepoName      types.String      `tfsdk:"repo_name" state:"shared"`
	RepoNamespace types.String      `tfsdk:"repo_namespace" state:"shared"`
	Layers        []string          `tfsdk:"layers"`
	FirstSeenAt   timetypes.RFC3339 `tfsdk:"first_seen_at"`
	LastSeenAt    timetypes.RFC3339 `tfsdk:"last_seen_at"`
	ScannedAt     timetypes.RFC3339 `tfsdk:"scanned_at"`
	ModifiedAt    timetypes.RFC3339 `tfsdk:"modified_at"`
	OS            types.String      `tfsdk:"os"`
	OSRelease     types.String      `tfsdk:"os_release"`
	Packages      []vulPackageModel `tfsdk:"packages"`
	Severity      types.String      `tfsdk:"severity"`
	MaxCVSSScore  types.Float64     `tfsdk:"max_cvss_score"`
	CVEs          []vulCVEModel     `tfsdk:"cves" state:"shared"` // nil (null) without with_cve_details; shared by the rows of a name
}

type vulPackageModel struct {
	Name        types.String `tfsdk:"name" state:"shared"`
	Version     types.String `tfsdk:"version" state:"shared"`
	FullVersion types.String `tfsdk:"full_version" state:"shared"`
	Path        types.String `tfsdk:"path" state:"shared"`
	Layer       types.String `tfsdk:"layer"`
	MatchDetail types.String `tfsdk:"match_detail" state:"shared"`
	UpdateCmd   types.String `tfsdk:"update_cmd" state:"shared"`
}

type vulCVEModel struct {
	CVEID       types.String      `tfsdk:"cve_id"`
	CVSSScore   types.Float64     `tfsdk:"cvss_score"`
	CVSSVector  types.String      `tfsdk:"cvss_vector"`
	Level       types.String      `tfsdk:"level"`
	Title       types.String      `tfsdk:"title"`
	Summary     types.String      `tfsdk:"summary"`
	Solution    types.String      `tfsdk:"solution"`
	PublishedAt timetypes.RFC3339 `tfsdk:"published_at"`
	Reference   types.String      `tfsdk:"reference"`
}

// vulArguments are the arguments of a read in plain Go.
type vulArguments struct {
	query         sasapi.ImageVulQuery
	necessities   []string // sorted; several are filtered here
	statuses      []string // sorted; several are filtered here
	maxResults    int
	pageSize      int
	withDetails   bool
	filterLocally bool
}

// keep applies the filters the service was not asked for, then max_results.
func (a vulArguments) keep(rows []sasapi.VulRecord) []sasapi.VulRecord {
	if a.filterLocally {
		kept := rows[:0]
		for _, r := range rows {
			if matchesAny(a.necessities, r.Necessity.Value, r.Necessity.Valid) && matchesAny(a.statuses, codeName(vulStatuses, r.Status).ValueString(), r.Status.Valid) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	if a.maxResults > 0 {
		rows = rows[:min(len(rows), a.maxResults)]
	}
	return rows
}

// matchesAny is true when no filter is set, or the value is present and listed.
func matchesAny(filter []string, value string, valid bool) bool {
	return len(filter) == 0 || (valid && slices.Contains(filter, value))
}

// vulNameDetails is what with_cve_details adds to every row of one name,
// converted once per name: names repeat across images.
type vulNameDetails struct {
	cves     []vulCVEModel // never nil: no CVE is an empty list
	severity types.String
	maxScore types.Float64
}

func convertNameDetails(cves []sasapi.CVE) vulNameDetails {
	models, severity, score := flattenCVEs(cves)
	return vulNameDetails{cves: models, severity: severity, maxScore: score}
}

// flattenVulnerability converts one row; details is nil without
// with_cve_details, and a name missing from it has no CVE.
func flattenVulnerability(r *sasapi.VulRecord, details map[string]vulNameDetails, withDetails bool) vulnerabilityModel {
	v := vulnerabilityModel{
		Name:          stringValue(r.Name),
		AliasName:     stringValue(r.AliasName),
		CVEIDs:        stringList(sasapi.StringList(r.Related)), // a CommaList is a StringList sent as text
		Type:          stringValue(r.Type),
		Necessity:     stringValue(r.Necessity),
		Status:        codeName(vulStatuses, r.Status),
		CanFix:        boolValue(sasapi.ParseYesNo(r.CanFix)),
		CanUpdate:     boolValue(r.CanUpdate),
		ImageUUID:     stringValue(r.Uuid),
		Image:         stringValue(r.Image),
		ImageDigest:   stringValue(r.ImageDigest),
		RepoName:      stringValue(r.RepoName),
		RepoNamespace: stringValue(r.RepoNamespace),
		Layers:        stringList(r.Layers),
		FirstSeenAt:   rfc3339OrNever(r.FirstTs),
		LastSeenAt:    rfc3339OrNever(r.LastTs),
		ScannedAt:     rfc3339OrNever(r.ScanTime),
		ModifiedAt:    rfc3339OrNever(r.ModifyTs),
		OS:            types.StringNull(),
		OSRelease:     types.StringNull(),
		Severity:      types.StringNull(),
		MaxCVSSScore:  types.Float64Null(),
	}
	if ext := r.ExtendContentJson; ext.Valid {
		v.OS, v.OSRelease = stringValue(ext.Os), stringValue(ext.OsRelease)
		v.Packages = make([]vulPackageModel, len(ext.RpmEntityList))
		for k, p := range ext.RpmEntityList {
			v.Packages[k] = vulPackageModel{
				Name: stringValue(p.Name), Version: stringValue(p.Version), FullVersion: stringValue(p.FullVersion), Path: stringValue(p.Path),
				Layer: stringValue(p.Layer), MatchDetail: stringValue(p.MatchDetail), UpdateCmd: stringValue(p.UpdateCmd),
			}
		}
	}
	if withDetails {
		d, ok := details[r.Name.Value]
		if !ok {
			d = vulNameDetails{cves: []vulCVEModel{}, severity: types.StringNull(), maxScore: types.Float64Null()}
		}
		v.CVEs, v.Severity, v.MaxCVSSScore = d.cves, d.severity, d.maxScore
	}
	return v
}

// flattenCVEs converts the details of one name and derives its severity
// (the most severe known level) and highest score; both are null when no
// CVE gives one.
func flattenCVEs(cves []sasapi.CVE) ([]vulCVEModel, types.String, types.Float64) {
	out := make([]vulCVEModel, len(cves))
	rank := len(vulSeverities)
	score := types.Float64Null()
	for k, c := range cves {
		out[k] = vulCVEModel{
			CVEID: stringValue(c.CveId), CVSSScore: float64Of(c.CvssScore), CVSSVector: stringValue(c.CvssVector),
			Level: stringValue(c.VulLevel), Title: stringValue(c.Title), Summary: stringValue(c.Summary), Solution: stringValue(c.Solution),
			PublishedAt: rfc3339OrNever(c.ReleaseTime), Reference: stringValue(c.Reference),
		}
		if r := slices.Index(vulSeverities, c.VulLevel.Value); r >= 0 && c.VulLevel.Valid {
			rank = min(rank, r)
		}
		score = higherScore(score, float64Of(c.CvssScore))
	}
	severity := types.StringNull()
	if rank < len(vulSeverities) {
		severity = types.StringValue(vulSeverities[rank])
	}
	return out, severity, score
}

// vulSummary is the summary of sas_image_vulnerabilities, over the rows returned.
var vulSummary = summaryTable[vulnerabilityModel]{
	intro: "Counts over the returned rows (`vulnerabilities`, after the filters and `max_results`). " +
		"A gate that people can keep switched on reads `self.summary.asap_fixable == 0`.",
	counts: []summaryCount[vulnerabilityModel]{
		{name: "vulnerabilities", desc: "Rows.", where: everyRow[vulnerabilityModel]},
		{name: "images", desc: "Distinct `image_uuid` values of the rows.", distinct: func(v *vulnerabilityModel) (string, bool) {
			return v.ImageUUID.ValueString(), !v.ImageUUID.IsNull()
		}},
		{name: "asap", desc: "Rows whose `necessity` is `asap`.", where: func(v *vulnerabilityModel) bool { return v.Necessity.ValueString() == "asap" }},
		{name: "later", desc: "Rows whose `necessity` is `later`.", where: func(v *vulnerabilityModel) bool { return v.Necessity.ValueString() == "later" }},
		{name: "nntf", desc: "Rows whose `necessity` is `nntf`.", where: func(v *vulnerabilityModel) bool { return v.Necessity.ValueString() == "nntf" }},
		{name: "fixable", desc: "Rows whose `can_fix` is `true`.", where: func(v *vulnerabilityModel) bool { return v.CanFix.ValueBool() }},
		{name: "asap_fixable", desc: "Rows whose `necessity` is `asap` and whose `can_fix` is `true`.", where: func(v *vulnerabilityModel) bool {
			return v.Necessity.ValueString() == "asap" && v.CanFix.ValueBool()
		}},
		{name: "unfixed", desc: "Rows whose `status` is `unfixed`.", where: func(v *vulnerabilityModel) bool { return v.Status.ValueString() == "unfixed" }},
		{name: "serious", desc: "Rows whose `severity` is `serious`.", where: hasSeverity("serious"), onlyWith: "with_cve_details"},
		{name: "high", desc: "Rows whose `severity` is `high`.", where: hasSeverity("high"), onlyWith: "with_cve_details"},
		{name: "medium", desc: "Rows whose `severity` is `medium`.", where: hasSeverity("medium"), onlyWith: "with_cve_details"},
		{name: "low", desc: "Rows whose `severity` is `low`.", where: hasSeverity("low"), onlyWith: "with_cve_details"},
		{name: "unknown_severity", desc: "Rows whose details came back empty, or without a known level: their `severity` is null.",
			where: func(v *vulnerabilityModel) bool { return v.Severity.IsNull() }, onlyWith: "with_cve_details"},
		{name: "max_cvss_score", desc: "The highest `max_cvss_score` of the rows; null when no row has one.",
			highest: func(v *vulnerabilityModel) types.Float64 { return v.MaxCVSSScore }, onlyWith: "with_cve_details"},
	},
}

func hasSeverity(level string) func(*vulnerabilityModel) bool {
	return func(v *vulnerabilityModel) bool { return !v.Severity.IsNull() && v.Severity.ValueString() == level }
}
