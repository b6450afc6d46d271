package provider

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// NewImageMaliciousFilesDataSource returns the sas_image_malicious_files data source.
func NewImageMaliciousFilesDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageMaliciousFilesModel, maliciousFilesRequest, maliciousFilesRead]{
		typeName: "image_malicious_files",
		description: "The malicious files — miners, webshells, backdoors — Security Center found in container images, one entry per image " +
			"and file (`DescribeAffectedMaliciousFileImages`), with the malware's name (`DescribeGroupedMaliciousFiles` over the same " +
			"images, joined on the MD5). Every page is read. The service's link to download the malware sample is never read.\n\n" +
			"The service cannot select one image by its uuid: select its images by `digest` (and narrow by repository, instance, " +
			"region or tag); `image_uuid` then keeps only that image record's files, filtering here (a digest can be held by " +
			"several image records, one per repository and tag).\n\n" +
			"**No files is not proof of a clean image**: an image that was never scanned has none either. Gate together with " +
			"`sas_image_instance`'s `scanned`.",
		attributes: map[string]schema.Attribute{
			"digest": digestArgument("Image (manifest) digest, with or without the `sha256:` prefix, in any case; sent bare and in lower case (`ImageDigest`)."),
			"repo_name": optionalString("Repository name (`RepoName`; the service matches part of the name, so `payments-api` also " +
				"selects `payments-api-v2`: narrow with `digest` or `image_uuid`)."),
			"repo_namespace":   optionalString("Repository namespace (`RepoNamespace`; matched as part of the name, like `repo_name`)."),
			"repo_instance_id": optionalString("Id of the Container Registry instance holding the images (`RepoInstanceId`)."),
			"repo_region_id": optionalString("Region of the repositories, such as `cn-hangzhou` (`RepoRegionId`). The provider's `region` " +
				"only selects the API endpoint."),
			"image_tag": optionalString("Image tag (`ImageTag`)."),
			"image_uuid": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only the files of this image record: its `uuid` from `sas_image_instance`. The service cannot " +
					"filter by it, so the files of the images the scope selects are read and the others dropped here; set `digest` too.",
				Validators: []validator.String{imageUUIDValidator()},
			},
			"levels": optionalChoices("Only files of these levels: "+quoted(maliciousLevels)+" (sent comma-separated as `Levels`). Unset: every level.", maliciousLevels),
			"md5": optionalString("Only files of this malware sample, by its MD5 (32 hexadecimal digits; `MaliciousMd5`).",
				stringvalidator.RegexMatches(md5Pattern, "must be an MD5: 32 hexadecimal digits")),
			"lang": langArgument("the malware's names"),
			"malicious_files": computedObjects("The malicious files, one per image and file, in the service's order. "+
				"A field the service did not send is null.", maliciousFileAttributes()),
			"summary": maliciousSummary.attribute(),
		},
		validators: []datasource.ConfigValidator{scopeValidator{what: "sas_image_malicious_files", attributes: maliciousScopeAttributes}},
		listings:   riskListings,
		request:    (*imageMaliciousFilesModel).request,
		read:       readMaliciousFiles,
		flatten: func(m *imageMaliciousFilesModel, _ maliciousFilesRequest, res maliciousFilesRead) {
			m.MaliciousFiles = flattenMaliciousFiles(res.files, res.names)
			m.Summary = maliciousSummary.of(m.MaliciousFiles, nil)
		},
	})
}

// maliciousScopeAttributes select the images whose files are read; one
// of them is required.
var maliciousScopeAttributes = []string{"digest", "repo_name", "repo_namespace", "repo_instance_id", "repo_region_id", "image_tag"}

// maliciousLevels are the levels of malicious files, most severe first.
var maliciousLevels = []string{sasapi.MaliciousLevelSerious, sasapi.MaliciousLevelSuspicious, sasapi.MaliciousLevelRemind}

// maliciousStatuses are the documented statuses of a malicious file.
var maliciousStatuses = []statusCode{
	{sasapi.MaliciousStatusUnhandled, "unhandled"},
	{sasapi.MaliciousStatusHandled, "handled"},
	{sasapi.MaliciousStatusVerifying, "verifying"},
	{sasapi.MaliciousStatusWhitelisted, "whitelisted"},
}

var md5Pattern = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

type imageMaliciousFilesModel struct {
	ID             types.String         `tfsdk:"id"`
	Digest         types.String         `tfsdk:"digest"`
	RepoName       types.String         `tfsdk:"repo_name"`
	RepoNamespace  types.String         `tfsdk:"repo_namespace"`
	RepoInstanceID types.String         `tfsdk:"repo_instance_id"`
	RepoRegionID   types.String         `tfsdk:"repo_region_id"`
	ImageTag       types.String         `tfsdk:"image_tag"`
	ImageUUID      types.String         `tfsdk:"image_uuid"`
	Levels         types.Set            `tfsdk:"levels"`
	MD5            types.String         `tfsdk:"md5"`
	Lang           types.String         `tfsdk:"lang"`
	MaliciousFiles []maliciousFileModel `tfsdk:"malicious_files"`
	Summary        types.Object         `tfsdk:"summary"`
}

type maliciousFileModel struct {
	ImageUUID     types.String      `tfsdk:"image_uuid"`
	Digest        types.String      `tfsdk:"digest"`
	Tag           types.String      `tfsdk:"tag"`
	RepoName      types.String      `tfsdk:"repo_name"`
	RepoNamespace types.String      `tfsdk:"repo_namespace"`
	InstanceID    types.String      `tfsdk:"instance_id"`
	RegionID      types.String      `tfsdk:"region_id"`
	Layer         types.String      `tfsdk:"layer"`
	Path          types.String      `tfsdk:"path"`
	MD5           types.String      `tfsdk:"md5"`
	Name          types.String      `tfsdk:"name"`
	Level         types.String      `tfsdk:"level"`
	Status        types.String      `tfsdk:"status"`
	FirstFoundAt  timetypes.RFC3339 `tfsdk:"first_found_at"`
	LastFoundAt   timetypes.RFC3339 `tfsdk:"last_found_at"`
}

func maliciousFileAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"image_uuid":     computedString(fromAPI("ImageUuid", "`uuid` of the image record, as in `sas_image_instance`.")),
		"digest":         computedString(fromAPI("Digest", "Image digest.")),
		"tag":            computedString(fromAPI("Tag", "Image tag.")),
		"repo_name":      computedString(fromAPI("RepoName", "Repository name.")),
		"repo_namespace": computedString(fromAPI("Namespace", "Repository namespace.")),
		"instance_id":    computedString(fromAPI("RepoInstanceId", "Id of the registry instance holding the image.")),
		"region_id":      computedString(fromAPI("RepoRegionId", "Region of the repository.")),
		"layer":          computedString(fromAPI("Layer", "Digest of the layer that holds the file.")),
		"path":           computedString(fromAPI("FilePath", "Path of the file in the image.")),
		"md5":            computedString(fromAPI("MaliciousMd5", "MD5 of the malware sample.")),
		"name": computedString("Name of the malware, such as `Mining program`, from `DescribeGroupedMaliciousFiles` (`MaliciousName`), " +
			"joined on the MD5; null when the service names no sample of that MD5."),
		"level": computedString(fromAPI("Level", "Level: "+quoted(maliciousLevels)+".")),
		"status": computedString(fromAPI("Status", "`unhandled` (code 0), `handled` (1), `verifying` (2) or `whitelisted` (3); "+
			"another code is kept as its number in a string.")),
		"first_found_at": computedTime(fromAPI("FirstScanTimestamp", "When a scan first found the file,"+resultTimeNote)),
		"last_found_at":  computedTime(fromAPI("LatestScanTimestamp", "When a scan last found it,"+resultTimeNote)),
	}
}

// maliciousFilesRequest is the query of the arguments and the image record
// to keep, when one is asked for.
type maliciousFilesRequest struct {
	query     sasapi.MaliciousFileQuery
	imageUUID string
}

func (m *imageMaliciousFilesModel) request(ctx context.Context) (maliciousFilesRequest, diag.Diagnostics) {
	r := maliciousFilesRequest{imageUUID: m.ImageUUID.ValueString(), query: sasapi.MaliciousFileQuery{
		ImageDigest:    normalizeDigestText(m.Digest.ValueString()),
		ImageTag:       m.ImageTag.ValueString(),
		RepoName:       m.RepoName.ValueString(),
		RepoNamespace:  m.RepoNamespace.ValueString(),
		RepoInstanceId: m.RepoInstanceID.ValueString(),
		RepoRegionId:   m.RepoRegionID.ValueString(),
		MaliciousMd5:   strings.ToLower(m.MD5.ValueString()),
		Lang:           langOf(m.Lang),
	}}
	diags := m.Levels.ElementsAs(ctx, &r.query.Levels, false)
	slices.SortFunc(r.query.Levels, func(a, b string) int { return slices.Index(maliciousLevels, a) - slices.Index(maliciousLevels, b) })
	return r, diags
}

// maliciousFilesRead is what a read found: the files, and the names of
// the samples by MD5.
type maliciousFilesRead struct {
	files []sasapi.MaliciousFile
	names map[string]sasapi.String
}

// readMaliciousFiles lists the files and the samples of the same scope,
// both at once, and keeps the files of the image record asked for.
func readMaliciousFiles(ctx context.Context, r *reader, req maliciousFilesRequest) (maliciousFilesRead, error) {
	var files *sasapi.Listing[sasapi.MaliciousFile]
	var samples *sasapi.Listing[sasapi.MaliciousSample]
	err := r.client.Each(ctx, 2, func(ctx context.Context, k int) error {
		var err error
		if k == 0 {
			files, err = list(ctx, r, sasapi.DescribeAffectedMaliciousFileImages, req.query, sasapi.ListOptions{})
		} else {
			samples, err = list(ctx, r, sasapi.DescribeGroupedMaliciousFiles, req.query, sasapi.ListOptions{})
		}
		return err
	})
	if err != nil {
		return maliciousFilesRead{}, err
	}
	read := maliciousFilesRead{files: files.Items, names: make(map[string]sasapi.String, len(samples.Items))}
	if req.imageUUID != "" {
		read.files = slices.DeleteFunc(read.files, func(f sasapi.MaliciousFile) bool { return f.ImageUuid.Value != req.imageUUID })
	}
	for _, s := range samples.Items {
		read.names[strings.ToLower(s.MaliciousMd5.Value)] = s.MaliciousName
	}
	return read, nil
}

// flattenMaliciousFiles converts the files, each named by its sample.
func flattenMaliciousFiles(files []sasapi.MaliciousFile, names map[string]sasapi.String) []maliciousFileModel {
	out := make([]maliciousFileModel, len(files))
	for k := range files {
		f := &files[k]
		out[k] = maliciousFileModel{
			ImageUUID:     stringValue(f.ImageUuid),
			Digest:        lowerValue(f.Digest),
			Tag:           stringValue(f.Tag),
			RepoName:      stringValue(f.RepoName),
			RepoNamespace: stringValue(f.Namespace),
			InstanceID:    stringValue(f.RepoInstanceId),
			RegionID:      stringValue(f.RepoRegionId),
			Layer:         stringValue(f.Layer),
			Path:          stringValue(f.FilePath),
			MD5:           lowerValue(f.MaliciousMd5),
			Name:          stringValue(names[strings.ToLower(f.MaliciousMd5.Value)]),
			Level:         lowerValue(f.Level),
			Status:        codeName(maliciousStatuses, f.Status),
			FirstFoundAt:  rfc3339OrNever(f.FirstScanTimestamp),
			LastFoundAt:   rfc3339OrNever(f.LatestScanTimestamp),
		}
	}
	return out
}

// maliciousSummary is the summary of sas_image_malicious_files, over the
// files returned.
var maliciousSummary = summaryTable[maliciousFileModel]{
	intro: "Counts over the returned files, after the filters. A gate on malware reads `self.summary.unhandled == 0`, " +
		"or `serious` and `suspicious`, together with the image's `scanned`.",
	counts: []summaryCount[maliciousFileModel]{
		{name: "files", desc: "Files in `malicious_files`.", where: everyRow[maliciousFileModel]},
		{name: "images", desc: "Distinct `image_uuid` values of the files.", distinct: func(f *maliciousFileModel) (string, bool) {
			return f.ImageUUID.ValueString(), !f.ImageUUID.IsNull()
		}},
		{name: "serious", desc: "Files whose `level` is `serious`, whatever their status.", where: hasMaliciousLevel(sasapi.MaliciousLevelSerious)},
		{name: "suspicious", desc: "Files whose `level` is `suspicious`, whatever their status.", where: hasMaliciousLevel(sasapi.MaliciousLevelSuspicious)},
		{name: "remind", desc: "Files whose `level` is `remind`, whatever their status.", where: hasMaliciousLevel(sasapi.MaliciousLevelRemind)},
		{name: "unhandled", desc: "Files whose `status` is neither `handled` nor `whitelisted`: `verifying`, another code or none counts, failing closed.", where: maliciousUnhandled},
	},
}

func hasMaliciousLevel(level string) func(*maliciousFileModel) bool {
	return func(f *maliciousFileModel) bool { return f.Level.ValueString() == level }
}

// maliciousUnhandled: a file still to be dealt with. Only handled and
// whitelisted files are; verifying, an unknown code or none is not.
func maliciousUnhandled(f *maliciousFileModel) bool {
	status := f.Status.ValueString()
	return f.Status.IsNull() || (status != "handled" && status != "whitelisted")
}
