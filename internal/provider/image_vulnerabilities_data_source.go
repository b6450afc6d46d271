package provider

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var (
	_ datasource.DataSource                     = (*imageVulnerabilitiesDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*imageVulnerabilitiesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*imageVulnerabilitiesDataSource)(nil)
)

// NewImageVulnerabilitiesDataSource returns the sas_image_vulnerabilities data source.
func NewImageVulnerabilitiesDataSource() datasource.DataSource {
	return &imageVulnerabilitiesDataSource{}
}

type imageVulnerabilitiesDataSource struct {
	data *providerData
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
	Summary         *vulSummaryModel     `tfsdk:"summary"`
}

func (d *imageVulnerabilitiesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_vulnerabilities"
}

// quoted renders values as a Markdown list of code spans: `a`, `b`, `c`.
func quoted(values []string) string {
	out := make([]string, len(values))
	for k, v := range values {
		out[k] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}

func (d *imageVulnerabilitiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the vulnerabilities Security Center found in container images (`DescribeImageVulList`, `Type = cve`), " +
			"one row per image and vulnerability, with the fix priority, whether a fix exists, the affected packages and their " +
			"upgrade command; with `with_cve_details`, also the CVSS score and severity of each CVE (`DescribeVulDetails`). " +
			"Every page is read; rows are de-duplicated by image, name and record id.\n\n" +
			"An image that was never successfully scanned has **no** rows: no rows means *unknown*, not *safe*, unless " +
			"`sas_image_instances` shows the image scanned. Gates should check that too.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier derived from the arguments: the same arguments give the same id.",
			},
			"image_uuids": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("Images to look at: the `uuid` values `sas_image_instances` returns (for example its `ids`). "+
					"Sent as the comma-separated `Uuids`, %d per request: a longer list is read in batches of %d, one after the other. "+
					"Repeated values are read once.", sasapi.UuidsPerRequest, sasapi.UuidsPerRequest),
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(
						stringvalidator.LengthAtLeast(1),
						stringvalidator.RegexMatches(noCommaOrSpace, "must be an image uuid, without commas or spaces"),
					),
				},
			},
			"digest": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Image (manifest) digest, 64 hexadecimal characters as `sas_image_instances` returns it. A `sha256:` prefix is accepted and stripped.",
				Validators:          []validator.String{digestValidator{}},
			},
			"repo_name":        scopeString("Repository name."),
			"repo_namespace":   scopeString("Repository namespace."),
			"repo_id":          scopeString("Repository id."),
			"repo_instance_id": scopeString("Id of the Container Registry instance holding the repositories."),
			"repo_region_id": scopeString("Region of the repositories, such as `cn-hangzhou`. Lookups are account-wide: the provider's " +
				"`region` only selects the API endpoint, so set this to narrow to one region."),
			"necessities": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only rows with one of these fix priorities: " + quoted(vulNecessities) + ". One value is sent to the service; " +
					"with several, every row is read and the others are dropped here. Unset: every priority.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(vulNecessities...))},
			},
			"statuses": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only rows with one of these statuses: `unfixed` (the service's `1`), `fixing` (`4`), `fixed` (`7`). " +
					"One value is sent to the service; with several, every row is read and the others are dropped here. " +
					"Unset: every status, **fixed rows included**; a gate usually wants `[\"unfixed\", \"fixing\"]`.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(vulStatusNames()...))},
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only rows of this vulnerability name, such as `debian:10:CVE-2019-9893`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_results": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Return at most this many rows (at least 1), after the filters. `total_count` still reports what the service matched.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"page_size": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Rows per request, 1 to %d. Defaults to %d. When the service serves smaller pages than asked, paging follows the size it serves.", sasapi.MaxPageSize, sasapi.MaxPageSize),
				Validators:          []validator.Int64{int64validator.Between(1, sasapi.MaxPageSize)},
			},
			"lang": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Language of titles and descriptions: `en` (the default) or `zh`.",
				Validators:          []validator.String{stringvalidator.OneOf("en", "zh")},
			},
			"with_cve_details": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, look every distinct vulnerability `name` of the result up with `DescribeVulDetails`, once per read, " +
					"concurrently within the provider's `max_concurrency`, and fill `severity`, `max_cvss_score`, `cves` and the severity counts " +
					"of `summary`. Defaults to `false`: one more request per distinct name.",
			},
			"total_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The rows the service reported for the query: the sum of `TotalCount` over the `image_uuids` batches, " +
					"before filtering by several `necessities` or `statuses` and before `max_results`.",
			},
			"vulnerabilities": vulnerabilitiesAttribute(),
			"summary":         vulSummaryAttribute(),
		},
	}
}

var (
	noCommaOrSpace = regexp.MustCompile(`^[^,\s]*$`)
)

func scopeString(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: desc,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
}

func resultString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}

func resultTime(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: desc + " RFC 3339 in UTC; null when the service sends 0 or nothing."}
}

const detailsOnly = " Null unless `with_cve_details`."

func vulnerabilitiesAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: "The rows, one per image and vulnerability, in the service's order. A field the service did not send is null.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name":       resultString("Vulnerability name, such as `debian:10:CVE-2019-9893`: the key of `DescribeVulDetails`."),
			"alias_name": resultString("Human-readable title."),
			"cve_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "CVE ids of the vulnerability (the service's comma-separated `Related`, split)."},
			"type": resultString("Vulnerability type: `cve`."),
			"necessity": resultString("Fix priority, the service's own triage of the vulnerability in this image: `asap` (fix as soon as possible), " +
				"`later`, `nntf` (no need to fix). Not a CVSS severity: see `severity`."),
			"status": resultString("`unfixed`, `fixing` or `fixed` (the service's `1`, `4`, `7`); another code is kept as its number in a string."),
			"can_fix": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether a fix exists: the service's `CanFix` (`yes`/`no`); the packages' `update_cmd` applies it. Null when the service sends neither."},
			"can_update":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Security Center can upgrade the package itself."},
			"image_uuid":     resultString("`uuid` of the image, as in `sas_image_instances`."),
			"image":          resultString("Full image name, `registry/namespace/repository:tag`."),
			"image_digest":   resultString("Image digest."),
			"repo_name":      resultString("Repository name."),
			"repo_namespace": resultString("Repository namespace."),
			"layers": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Digests of the image layers the vulnerability is in."},
			"first_seen_at": resultTime("First detection."),
			"last_seen_at":  resultTime("Last detection."),
			"scanned_at":    resultTime("Time of the scan that reported the row."),
			"modified_at":   resultTime("Last change of the record."),
			"os":            resultString("Operating system of the image, such as `debian`."),
			"os_release":    resultString("Its release, such as `10.9`."),
			"packages": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Affected packages (`ExtendContentJson.RpmEntityList`).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":         resultString("Package name."),
					"version":      resultString("Installed version."),
					"full_version": resultString("Full version string."),
					"path":         resultString("Path of the vulnerable file."),
					"layer":        resultString("Digest of the layer that added the package."),
					"match_detail": resultString("Why the package matched, such as `openssl version less than 1.1.1n`."),
					"update_cmd":   resultString("Command that upgrades the package, such as `apt-get update && apt-get install openssl --only-upgrade`; empty when there is no fix."),
				}},
			},
			"severity": resultString("The highest CVE level (`VulLevel`) of its CVEs: " + quoted(vulSeverities) + ". Null when the details list " +
				"no CVE with a known level." + detailsOnly),
			"max_cvss_score": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "The highest CVSS score of its CVEs; null when none has a score." + detailsOnly},
			"cves": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The CVEs behind the vulnerability, from `DescribeVulDetails`; empty when the service knows none." + detailsOnly,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"cve_id":      resultString("CVE id."),
					"cvss_score":  schema.Float64Attribute{Computed: true, MarkdownDescription: "CVSS score; null when the service sends none (an empty string)."},
					"cvss_vector": resultString("CVSS vector."),
					"level":       resultString("Severity: " + quoted(vulSeverities) + "."),
					"title":       resultString("Title."),
					"summary":     resultString("Description."),
					"solution":    resultString("Fix advice; may contain HTML."),
					"published_at": schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{},
						MarkdownDescription: "Disclosure time, RFC 3339 in UTC; null when the service sends 0 or nothing."},
					"reference": resultString("Reference URL."),
				}},
			},
		}},
	}
}

func vulSummaryAttribute() schema.SingleNestedAttribute {
	count := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "Counts over the returned rows (`vulnerabilities`, after the filters and `max_results`). " +
			"A gate that people can keep switched on reads `self.summary.asap_fixable == 0`.",
		Attributes: map[string]schema.Attribute{
			"vulnerabilities":  count("Rows."),
			"images":           count("Distinct `image_uuid` values of the rows."),
			"asap":             count("Rows whose `necessity` is `asap`."),
			"later":            count("Rows whose `necessity` is `later`."),
			"nntf":             count("Rows whose `necessity` is `nntf`."),
			"fixable":          count("Rows whose `can_fix` is `true`."),
			"asap_fixable":     count("Rows whose `necessity` is `asap` and whose `can_fix` is `true`."),
			"unfixed":          count("Rows whose `status` is `unfixed`."),
			"serious":          count("Rows whose `severity` is `serious`." + detailsOnly),
			"high":             count("Rows whose `severity` is `high`." + detailsOnly),
			"medium":           count("Rows whose `severity` is `medium`." + detailsOnly),
			"low":              count("Rows whose `severity` is `low`." + detailsOnly),
			"unknown_severity": count("Rows whose details came back empty, or without a known level: their `severity` is null." + detailsOnly),
			"max_cvss_score": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "The highest `max_cvss_score` of the rows; null when no row has one." + detailsOnly},
		},
	}
}

func (d *imageVulnerabilitiesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{vulScopeValidator{}}
}

// vulScopeValidator requires one scope argument: without one, a read would
// list every vulnerability of every image of the account.
type vulScopeValidator struct{}

func (vulScopeValidator) Description(context.Context) string {
	return "at least one of " + strings.Join(vulScopeAttributes, ", ") + " must be set"
}

func (v vulScopeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (vulScopeValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	for _, name := range vulScopeAttributes {
		var value attr.Value
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &value)...)
		if value == nil || !value.IsNull() { // set, or unknown until apply
			return
		}
	}
	resp.Diagnostics.AddError("Missing image scope",
		"sas_image_vulnerabilities needs to know which images to look at: set at least one of "+
			strings.Join(vulScopeAttributes, ", ")+". Lookups are account-wide, so without one it would read every vulnerability of every image.")
}

func (d *imageVulnerabilitiesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *imageVulnerabilitiesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model imageVulnerabilitiesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}
	resp.Diagnostics.Append(readImageVulnerabilities(ctx, d.data.client, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, &model)...)
}

func (m *imageVulnerabilitiesModel) arguments(ctx context.Context) (vulArguments, diag.Diagnostics) {
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
	a.query.Lang = cmp.Or(m.Lang.ValueString(), "en")
	// One value goes to the service; several are filtered here, since no
	// list syntax of these parameters is documented.
	if len(a.necessities) == 1 {
		a.query.Necessity = a.necessities[0]
	}
	if len(a.statuses) == 1 {
		code, _ := vulStatusCode(a.statuses[0])
		a.query.StatusList = strconv.FormatInt(code, 10)
	}
	a.filterLocally = len(a.necessities) > 1 || len(a.statuses) > 1
	return a, diags
}

// readImageVulnerabilities reads the rows, and their details when asked,
// and fills the computed attributes of m.
func readImageVulnerabilities(ctx context.Context, client *sasapi.Client, m *imageVulnerabilitiesModel) diag.Diagnostics {
	a, diags := m.arguments(ctx)
	if diags.HasError() {
		return diags
	}
	opts := sasapi.ListOptions{PageSize: a.pageSize, MaxResults: a.maxResults}
	if a.filterLocally {
		opts.MaxResults = 0 // the limit applies after the filter
	}
	listing, err := client.ListImageVulnerabilities(ctx, a.query, opts)
	if err != nil {
		diags.Append(errorDiagnostic("Reading Security Center image vulnerabilities", err))
		return diags
	}
	for _, w := range listing.Warnings {
		diags.AddWarning("Security Center vulnerability listing may be inconsistent", w)
	}
	rows := a.keep(listing.Items)
	tflog.Info(ctx, "read Security Center image vulnerabilities", map[string]any{
		"rows": len(rows), "total_count": listing.TotalCount, "requests": listing.Requests,
		"retries": listing.Retries, "page_size": listing.PageSize, "duplicates": listing.Duplicates,
	})

	var details map[string]vulNameDetails
	if a.withDetails {
		names := make([]string, len(rows))
		for k := range rows {
			names[k] = rows[k].Name.Value
		}
		cves, err := client.LookupVulDetails(ctx, names, sasapi.VulDetailsOptions{Lang: a.query.Lang})
		if err != nil {
			diags.Append(errorDiagnostic("Reading Security Center vulnerability details", err))
			return diags
		}
		tflog.Info(ctx, "read Security Center vulnerability details", map[string]any{"names": len(cves)})
		details = make(map[string]vulNameDetails, len(cves))
		for name, list := range cves {
			details[name] = convertNameDetails(list)
		}
	}

	m.Vulnerabilities = make([]vulnerabilityModel, len(rows))
	for k := range rows {
		m.Vulnerabilities[k] = flattenVulnerability(&rows[k], details, a.withDetails)
	}
	summary := summariseVulnerabilities(m.Vulnerabilities, a.withDetails)
	m.Summary = &summary
	m.TotalCount = types.Int64Value(int64(listing.TotalCount))
	m.ID = types.StringValue(a.id())
	return diags
}
