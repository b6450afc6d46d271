package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// imageModel is one element of `images`.
type imageModel struct {
	UUID           types.String      `tfsdk:"uuid"`
	ImageID        types.String      `tfsdk:"image_id"`
	Digest         types.String      `tfsdk:"digest"`
	Tag            types.String      `tfsdk:"tag"`
	RepoName       types.String      `tfsdk:"repo_name"`
	RepoNamespace  types.String      `tfsdk:"repo_namespace"`
	RepoID         types.String      `tfsdk:"repo_id"`
	RepoType       types.String      `tfsdk:"repo_type"`
	RegistryType   types.String      `tfsdk:"registry_type"`
	InstanceID     types.String      `tfsdk:"instance_id"`
	RegionID       types.String      `tfsdk:"region_id"`
	Status         types.String      `tfsdk:"status"`
	ImageSize      types.Int64       `tfsdk:"image_size"`
	ImageCreate    types.Int64       `tfsdk:"image_create"`
	ImageCreatedAt timetypes.RFC3339 `tfsdk:"image_created_at"`
	ImageUpdate    types.Int64       `tfsdk:"image_update"`
	ImageUpdatedAt timetypes.RFC3339 `tfsdk:"image_updated_at"`
	LastScanTime   types.Int64       `tfsdk:"last_scan_time"`
	LastScannedAt  timetypes.RFC3339 `tfsdk:"last_scanned_at"`
	VulCount       types.Int64       `tfsdk:"vul_count"`
	HcCount        types.Int64       `tfsdk:"hc_count"`
	AlarmCount     types.Int64       `tfsdk:"alarm_count"`
	ScaProgress    types.Int64       `tfsdk:"sca_progress"`
	VulStatus      types.String      `tfsdk:"vul_status"`
	HcStatus       types.String      `tfsdk:"hc_status"`
	AlarmStatus    types.String      `tfsdk:"alarm_status"`
	RiskStatus     types.String      `tfsdk:"risk_status"`
	ScaStatus      types.String      `tfsdk:"sca_status"`
	ScaResult      types.String      `tfsdk:"sca_result"`
	Deployed       types.Bool        `tfsdk:"deployed"`
	Endpoints      []string          `tfsdk:"endpoints"`
	SourceBizTag   types.String      `tfsdk:"source_biz_tag"`
}

const neverScannedCaveat = " Counts of an image that was never successfully scanned (`sca_status` other than `SUCCESS`, or `last_scan_time` 0) are zero because nothing was looked at: they say nothing about its safety."

func imageSchemaAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"uuid":             computedString(fromAPI("Uuid", "Unique key of the image record in Security Center; `sas_image_instances` lists it in `ids`.")),
		"image_id":         computedString(fromAPI("ImageId", "Image id (the config digest).")),
		"digest":           computedString(fromAPI("Digest", "Image (manifest) digest.")),
		"tag":              computedString(fromAPI("Tag", "Image tag.")),
		"repo_name":        computedString(fromAPI("RepoName", "Repository name.")),
		"repo_namespace":   computedString(fromAPI("RepoNamespace", "Repository namespace; `N/A` when the registry has none.")),
		"repo_id":          computedString(fromAPI("RepoId", "Repository id.")),
		"repo_type":        computedString(fromAPI("RepoType", "Repository visibility: `private` or `public`.")),
		"registry_type":    computedString(fromAPI("RegistryType", "Registry kind, such as `acr`, `harbor`, `quay` or `CI/CD`.")),
		"instance_id":      computedString(fromAPI("InstanceId", "Id of the registry instance holding the image.")),
		"region_id":        computedString(fromAPI("RegionId", "Region of the image, such as `cn-hangzhou`.")),
		"status":           computedString(fromAPI("Status", "Image status, such as `NORMAL`.")),
		"image_size":       computedInt64(fromAPI("ImageSize", "Image size as the service reports it (a numeric string on the wire; documented as MB, observed as bytes).")),
		"image_create":     computedInt64(fromAPI("ImageCreate", "Creation time, Unix milliseconds.")),
		"image_created_at": computedTime(fromAPI("ImageCreate", "Creation time, RFC 3339 in UTC (usable with `timecmp()`).")),
		"image_update":     computedInt64(fromAPI("ImageUpdate", "Last update time, Unix milliseconds.")),
		"image_updated_at": computedTime(fromAPI("ImageUpdate", "Last update time, RFC 3339 in UTC (usable with `timecmp()`).")),
		"last_scan_time":   computedInt64(fromAPI("LastScanTime", "Last scan time, Unix milliseconds; `0` when the image was never scanned.")),
		"last_scanned_at":  computedTime(fromAPI("LastScanTime", "Last scan time, RFC 3339 in UTC (usable with `timecmp()`); **null when the image was never scanned** (`last_scan_time` 0).")),
		"vul_count":        computedInt64(fromAPI("VulCount", "Number of vulnerabilities found."+neverScannedCaveat)),
		"hc_count":         computedInt64(fromAPI("HcCount", "Number of baseline (configuration health check) risks found."+neverScannedCaveat)),
		"alarm_count":      computedInt64(fromAPI("AlarmCount", "Number of security alerts raised for the image."+neverScannedCaveat)),
		"sca_progress":     computedInt64(fromAPI("ScaProgress", "Progress of the current or last scan, 0 to 100.")),
		"vul_status":       computedString(fromAPI("VulStatus", "`YES` when vulnerabilities were found, `NO` otherwise.")),
		"hc_status":        computedString(fromAPI("HcStatus", "`YES` when baseline risks were found, `NO` otherwise.")),
		"alarm_status":     computedString(fromAPI("AlarmStatus", "`YES` when alerts were raised, `NO` otherwise.")),
		"risk_status":      computedString(fromAPI("RiskStatus", "`YES` when any risk (vulnerability, baseline risk or alert) exists, `NO` otherwise. `NO` on an image that was never successfully scanned means *unknown*, not *safe*.")),
		"sca_status":       computedString(fromAPI("ScaStatus", "Scan state: `SUCCESS` when the last scan completed; `INIT` (never scanned), `START`, `MESSAGE_SEND`, `START_RUN`, `DOWNLOAD`, `PRE_ANALYZER`, `WEB_SHELL_ANALYZER`, `CVE_ANALYZER`, `BIN_ANALYZER`, `OTHER_ANALYZER` (in progress), `PRE_ANALYZER_SUCCESS` (partial), `FAIL` or `TIMEOUT` (failed).")),
		"sca_result":       computedString(fromAPI("ScaResult", "Scan error code when a scan could not run, such as `TASK_NOT_SUPPORT_REGION`.")),
		"deployed":         computedBool(fromAPI("Deployed", "Whether the image is deployed (the service's `1`/`0`).")),
		"endpoints":        computedStrings(fromAPI("Endpoints", "Image addresses (the service sends a JSON array inside a string; parsed here).")),
		"source_biz_tag":   computedString(fromAPI("SourceBizTag", "Usage label, such as `PAI`; null when the service does not send it.")),
	}
}

// newImageModel flattens one API record. A field the service did not send
// becomes null.
func newImageModel(i *sasapi.ImageInstance) imageModel {
	return imageModel{
		UUID:           stringValue(i.Uuid),
		ImageID:        stringValue(i.ImageId),
		Digest:         stringValue(i.Digest),
		Tag:            stringValue(i.Tag),
		RepoName:       stringValue(i.RepoName),
		RepoNamespace:  stringValue(i.RepoNamespace),
		RepoID:         stringValue(i.RepoId),
		RepoType:       stringValue(i.RepoType),
		RegistryType:   stringValue(i.RegistryType),
		InstanceID:     stringValue(i.InstanceId),
		RegionID:       stringValue(i.RegionId),
		Status:         stringValue(i.Status),
		ImageSize:      int64Value(i.ImageSize),
		ImageCreate:    int64Value(i.ImageCreate),
		ImageCreatedAt: rfc3339Value(i.ImageCreate),
		ImageUpdate:    int64Value(i.ImageUpdate),
		ImageUpdatedAt: rfc3339Value(i.ImageUpdate),
		LastScanTime:   int64Value(i.LastScanTime),
		LastScannedAt:  rfc3339OrNever(i.LastScanTime),
		VulCount:       int64Value(i.VulCount),
		HcCount:        int64Value(i.HcCount),
		AlarmCount:     int64Value(i.AlarmCount),
		ScaProgress:    int64Value(i.ScaProgress),
		VulStatus:      stringValue(i.VulStatus),
		HcStatus:       stringValue(i.HcStatus),
		AlarmStatus:    stringValue(i.AlarmStatus),
		RiskStatus:     stringValue(i.RiskStatus),
		ScaStatus:      stringValue(i.ScaStatus),
		ScaResult:      stringValue(i.ScaResult),
		Deployed:       boolValue(i.Deployed),
		Endpoints:      stringList(i.Endpoints),
		SourceBizTag:   stringValue(i.SourceBizTag),
	}
}
