package provider

import (
	"context"
	"regexp"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// NewImageSensitiveFilesDataSource returns the sas_image_sensitive_files data source.
func NewImageSensitiveFilesDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageSensitiveFilesModel, sensitiveFilesRequest, sensitiveFilesRead]{
		typeName: "image_sensitive_files",
		description: "The secrets Security Center found baked into one image — access keys, private keys, passwords, tokens — " +
			"one entry per secret type (`DescribeImageSensitiveFileList`), and with `with_files` the files of each type " +
			"(`DescribeImageSensitiveFileByKey`). Every page is read.\n\n" +
			"**No entries is not proof of a clean image**: an image that was never scanned, or whose scan did not look for " +
			"secrets, has none either, and the service does not say which. Gate together with `sas_image_instance`'s `scanned`, " +
			"and fail closed when it is `false`.",
		attributes: map[string]schema.Attribute{
			"image_uuid": imageUUIDArgument("The image: its `uuid` from `sas_image_instance` or `sas_image_instances`."),
			"risk_levels": optionalChoices("Only secret types of these risk levels: "+quoted(sensitiveRiskLevels)+". One level is sent to the service "+
				"(`RiskLevel`, which takes one); with several, every type is read and the others are dropped here. Unset: every level.", sensitiveRiskLevels),
			"sensitive_file_keys": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only these secret types, by the service's key, such as `aws_access_key`, `ssh_private_key`, `rsa_private_key`, " +
					"`github_personal_token` or `postgresql_passwd` (sent as `SensitiveKeyList`). Keys are passed as written, in their case: " +
					"the service adds new ones, so they are not checked against a list.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(
					stringvalidator.RegexMatches(sensitiveKeyPattern, "must be a secret type key, without spaces or commas"))},
			},
			"with_files": optionalBool("When `true`, `files` of each secret type with findings lists its files, read with one " +
				"`DescribeImageSensitiveFileByKey` listing per type, concurrently within the provider's `max_concurrency`. Defaults to `false`. " +
				"The files carry the service's masked excerpt of each secret: see `files`."),
			"lang": langArgument("names, descriptions and advice"),
			"sensitive_files": computedObjects("The secret types found, one per `key`, in the service's order. "+
				"A field the service did not send is null.", sensitiveFileAttributes()),
			"summary": sensitiveSummary.attribute(),
		},
		listings: riskListings,
		request:  (*imageSensitiveFilesModel).request,
		read:     readSensitiveFiles,
		flatten: func(m *imageSensitiveFilesModel, _ sensitiveFilesRequest, res sensitiveFilesRead) {
			m.SensitiveFiles = flattenSensitiveTypes(res.types, res.files)
			m.Summary = sensitiveSummary.of(m.SensitiveFiles, nil)
		},
	})
}

// sensitiveRiskLevels are the levels of secrets, most severe first.
var sensitiveRiskLevels = []string{sasapi.SensitiveRiskHigh, sasapi.SensitiveRiskMedium, sasapi.SensitiveRiskLow}

// sensitiveStatuses are the documented statuses of a secret type.
var sensitiveStatuses = []statusCode{
	{sasapi.SensitiveStatusUnhandled, "unhandled"},
	{sasapi.SensitiveStatusHandled, "handled"},
}

var sensitiveKeyPattern = regexp.MustCompile(`^[^,\s]+$`)

type imageSensitiveFilesModel struct {
	ID                types.String         `tfsdk:"id"`
	ImageUUID         types.String         `tfsdk:"image_uuid"`
	RiskLevels        types.Set            `tfsdk:"risk_levels"`
	SensitiveFileKeys types.Set            `tfsdk:"sensitive_file_keys"`
	WithFiles         types.Bool           `tfsdk:"with_files"`
	Lang              types.String         `tfsdk:"lang"`
	SensitiveFiles    []sensitiveFileModel `tfsdk:"sensitive_files"`
	Summary           types.Object         `tfsdk:"summary"`
}

type sensitiveFileModel struct {
	Key              types.String      `tfsdk:"key"`
	Name             types.String      `tfsdk:"name"`
	ClassKey         types.String      `tfsdk:"class_key"`
	ClassName        types.String      `tfsdk:"class_name"`
	RiskLevel        types.String      `tfsdk:"risk_level"`
	Count            types.Int64       `tfsdk:"count"`
	UnprocessedCount types.Int64       `tfsdk:"unprocessed_count"`
	Status           types.String      `tfsdk:"status"`
	FirstScannedAt   timetypes.RFC3339 `tfsdk:"first_scanned_at"`
	LastScannedAt    timetypes.RFC3339 `tfsdk:"last_scanned_at"`
	Advice           types.String      `tfsdk:"advice"`
	Description      types.String      `tfsdk:"description"`
	Files            []secretFileModel `tfsdk:"files"` // nil (null) unless with_files
}

type secretFileModel struct {
	Path        types.String `tfsdk:"path"`
	LayerDigest types.String `tfsdk:"layer_digest"`
	MD5         types.String `tfsdk:"md5"`
	RiskLevel   types.String `tfsdk:"risk_level"`
	Excerpt     types.String `tfsdk:"excerpt"`
}

func sensitiveFileAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"key":        computedString(fromAPI("SensitiveFileKey", "The secret type's key, such as `aws_access_key`.")),
		"name":       computedString(fromAPI("SensitiveFileName", "The secret type's name, in `lang`.")),
		"class_key":  computedString(fromAPI("ClassKey", "Key of the type's class, such as `access_key`.")),
		"class_name": computedString(fromAPI("ClassName", "Name of the type's class, in `lang`.")),
		"risk_level": computedString(fromAPI("RiskLevel", "Risk level of the type: "+quoted(sensitiveRiskLevels)+".")),
		"count": computedInt64(fromAPI("Count", "The service's count of this type's findings in the image (files, as far as can be told: "+
			"the service does not document the unit).")),
		"unprocessed_count": computedInt64(fromAPI("UnprocessedNum", "Findings of this type not handled in Security Center: for one image, "+
			"1 while the finding is unhandled, 0 once handled (ignored or marked a false positive).")),
		"status":           computedString(fromAPI("Status", "`unhandled` (code 0) or `handled` (code 1: ignored or a false positive); another code is kept as its number in a string.")),
		"first_scanned_at": computedTime(fromAPI("FirstScanTime", "When a scan first found the type in the image,"+resultTimeNote)),
		"last_scanned_at":  computedTime(fromAPI("LastScanTime", "When a scan last found it,"+resultTimeNote)),
		"advice":           computedString(fromAPI("Advice", "What to do, in `lang`.")),
		"description":      computedString(fromAPI("Description", "What the type is, in `lang`.")),
		"files": schema.ListNestedAttribute{
			Computed:  true,
			Sensitive: true,
			MarkdownDescription: "The type's files, in the service's order, de-duplicated by path, layer and MD5; **null unless `with_files`**. " +
				"Marked sensitive because `excerpt` is part of a secret: Terraform hides the whole list in plan output and in the plan JSON " +
				"(`after_sensitive`), but **the state holds it**. Leave `with_files` unset where the state must not hold secret excerpts: " +
				"`sensitive_files` and `summary` name the types and counts without it.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"path":         computedString(fromAPI("FilePath", "Path of the file in the image.")),
				"layer_digest": computedString(fromAPI("LayerDigest", "Digest of the layer that holds the file.")),
				"md5":          computedString(fromAPI("Md5", "MD5 of the file.")),
				"risk_level":   computedString(fromAPI("RiskLevel", "Risk level of the finding.")),
				"excerpt": computedString(fromAPI("Promt", "The matched secret as the service masks it: a short visible prefix, "+
					"the rest asterisks. Still part of a live credential: rotate it.")),
			}},
		},
	}
}

// sensitiveFilesRequest is the query of the arguments, the levels to keep
// when several are asked for, and whether to list each type's files.
type sensitiveFilesRequest struct {
	query     sasapi.SensitiveFileQuery
	levels    []string // sorted; several are filtered here
	withFiles bool
}

func (m *imageSensitiveFilesModel) request(ctx context.Context) (sensitiveFilesRequest, diag.Diagnostics) {
	r := sensitiveFilesRequest{
		query:     sasapi.SensitiveFileQuery{ImageUuid: m.ImageUUID.ValueString(), Lang: langOf(m.Lang)},
		withFiles: m.WithFiles.ValueBool(),
	}
	diags := m.RiskLevels.ElementsAs(ctx, &r.levels, false)
	diags.Append(m.SensitiveFileKeys.ElementsAs(ctx, &r.query.SensitiveFileKeys, false)...)
	slices.Sort(r.levels) // a set has no order; the request should not vary
	slices.Sort(r.query.SensitiveFileKeys)
	if len(r.levels) == 1 {
		r.query.RiskLevel = r.levels[0]
	}
	return r, diags
}

// sensitiveFilesRead is what a read found: the secret types and, with
// with_files, the files of each type by its key.
type sensitiveFilesRead struct {
	types []sasapi.SensitiveFileType
	files map[string][]sasapi.SensitiveFile
}

func readSensitiveFiles(ctx context.Context, r *reader, req sensitiveFilesRequest) (sensitiveFilesRead, error) {
	listing, err := list(ctx, r, sasapi.DescribeImageSensitiveFileList, req.query, sasapi.ListOptions{})
	if err != nil {
		return sensitiveFilesRead{}, err
	}
	read := sensitiveFilesRead{types: keepLevels(listing.Items, req.levels)}
	if req.withFiles {
		read.files, err = readSecretFiles(ctx, r, req.query, read.types)
	}
	return read, err
}

// keepLevels drops the types whose level is not among levels, when there
// are several to keep (one was asked of the service).
func keepLevels(found []sasapi.SensitiveFileType, levels []string) []sasapi.SensitiveFileType {
	if len(levels) < 2 {
		return found
	}
	kept := found[:0]
	for _, t := range found {
		if t.RiskLevel.Valid && slices.Contains(levels, t.RiskLevel.Value) {
			kept = append(kept, t)
		}
	}
	return kept
}

// readSecretFiles lists the files of every type with findings, keyed by
// type key. A type whose count the service did not send is listed too.
func readSecretFiles(ctx context.Context, r *reader, query sasapi.SensitiveFileQuery, found []sasapi.SensitiveFileType) (map[string][]sasapi.SensitiveFile, error) {
	var queries []sasapi.SensitiveFileKeyQuery
	for _, t := range found {
		if t.SensitiveFileKey.Value == "" || (t.Count.Valid && t.Count.Value <= 0) {
			continue
		}
		queries = append(queries, sasapi.SensitiveFileKeyQuery{ImageUuid: query.ImageUuid, SensitiveFileKey: t.SensitiveFileKey.Value, Lang: query.Lang})
	}
	listings, err := listEach(ctx, r, sasapi.DescribeImageSensitiveFileByKey, queries, sasapi.ListOptions{})
	if err != nil {
		return nil, err
	}
	files := make(map[string][]sasapi.SensitiveFile, len(queries))
	for k, q := range queries {
		files[q.SensitiveFileKey] = listings[k].Items
	}
	return files, nil
}

// flattenSensitiveTypes converts the types, with the files of each when
// files is not nil (a type listed without files has an empty list).
func flattenSensitiveTypes(found []sasapi.SensitiveFileType, files map[string][]sasapi.SensitiveFile) []sensitiveFileModel {
	out := make([]sensitiveFileModel, len(found))
	for k := range found {
		t := &found[k]
		out[k] = sensitiveFileModel{
			Key:              stringValue(t.SensitiveFileKey),
			Name:             stringValue(t.SensitiveFileName),
			ClassKey:         stringValue(t.ClassKey),
			ClassName:        stringValue(t.ClassName),
			RiskLevel:        lowerValue(t.RiskLevel),
			Count:            int64Value(t.Count),
			UnprocessedCount: int64Value(t.UnprocessedNum),
			Status:           codeName(sensitiveStatuses, t.Status),
			FirstScannedAt:   rfc3339OrNever(t.FirstScanTime),
			LastScannedAt:    rfc3339OrNever(t.LastScanTime),
			Advice:           stringValue(t.Advice),
			Description:      stringValue(t.Description),
		}
		if files != nil {
			out[k].Files = flattenSecretFiles(files[t.SensitiveFileKey.Value])
		}
	}
	return out
}

func flattenSecretFiles(files []sasapi.SensitiveFile) []secretFileModel {
	out := make([]secretFileModel, len(files))
	for k := range files {
		f := &files[k]
		excerpt := types.StringNull()
		if f.Promt.Valid {
			excerpt = types.StringValue(f.Promt.Reveal())
		}
		out[k] = secretFileModel{
			Path: stringValue(f.FilePath), LayerDigest: stringValue(f.LayerDigest), MD5: stringValue(f.Md5),
			RiskLevel: lowerValue(f.RiskLevel), Excerpt: excerpt,
		}
	}
	return out
}

// sensitiveSummary is the summary of sas_image_sensitive_files, over the
// secret types returned.
var sensitiveSummary = summaryTable[sensitiveFileModel]{
	intro: "Counts over the returned secret types, after the filters. A gate on secrets reads " +
		"`self.summary.high == 0 && self.summary.medium == 0`, together with the image's `scanned`.",
	counts: []summaryCount[sensitiveFileModel]{
		{name: "types", desc: "Secret types in `sensitive_files`.", where: everyRow[sensitiveFileModel]},
		{name: "unprocessed", desc: "Sum of `unprocessed_count` over the types.", sum: func(s *sensitiveFileModel) int64 { return s.UnprocessedCount.ValueInt64() }},
		{name: "high", desc: "Types whose `risk_level` is `high` with unprocessed findings: `unprocessed_count` greater than 0, or null while `status` is not `handled`.", where: unprocessedOfLevel(sasapi.SensitiveRiskHigh)},
		{name: "medium", desc: "Types whose `risk_level` is `medium` with unprocessed findings: `unprocessed_count` greater than 0, or null while `status` is not `handled`.", where: unprocessedOfLevel(sasapi.SensitiveRiskMedium)},
		{name: "low", desc: "Types whose `risk_level` is `low` with unprocessed findings: `unprocessed_count` greater than 0, or null while `status` is not `handled`.", where: unprocessedOfLevel(sasapi.SensitiveRiskLow)},
	},
}

func unprocessedOfLevel(level string) func(*sensitiveFileModel) bool {
	return func(s *sensitiveFileModel) bool { return s.RiskLevel.ValueString() == level && hasUnprocessed(s) }
}

// hasUnprocessed: the type has findings not handled in Security Center. A
// count the service did not send never reads as handled, unless the
// type's status says so.
func hasUnprocessed(s *sensitiveFileModel) bool {
	if s.UnprocessedCount.IsNull() {
		return s.Status.ValueString() != "handled"
	}
	return s.UnprocessedCount.ValueInt64() > 0
}
