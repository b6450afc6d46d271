package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

type image = sasapi.ImageInstance

// imageField maps one API field to one attribute of an element of `images`.
// This table is the single source of truth for that mapping: the schema, the
// object type and the conversion are all derived from it, so exposing a new
// API field is one row here (plus its field in sasapi.ImageInstance).
type imageField struct {
	name   string
	api    string
	desc   string
	schema func(desc string) schema.Attribute
	typ    attr.Type
	value  func(*image, *valueCache) tftypes.Value
}

var imageFields = []imageField{
	stringField("uuid", "Uuid", "Unique key of the image record in Security Center; the element id of this list and of `ids`.", func(i *image) sasapi.String { return i.Uuid }),
	stringField("image_id", "ImageId", "Image id (the config digest).", func(i *image) sasapi.String { return i.ImageId }),
	stringField("digest", "Digest", "Image (manifest) digest.", func(i *image) sasapi.String { return i.Digest }),
	stringField("tag", "Tag", "Image tag.", func(i *image) sasapi.String { return i.Tag }),
	stringField("repo_name", "RepoName", "Repository name.", func(i *image) sasapi.String { return i.RepoName }),
	stringField("repo_namespace", "RepoNamespace", "Repository namespace; `N/A` when the registry has none.", func(i *image) sasapi.String { return i.RepoNamespace }),
	stringField("repo_id", "RepoId", "Repository id.", func(i *image) sasapi.String { return i.RepoId }),
	stringField("repo_type", "RepoType", "Repository visibility: `private` or `public`.", func(i *image) sasapi.String { return i.RepoType }),
	stringField("registry_type", "RegistryType", "Registry kind, such as `acr`, `harbor`, `quay` or `CI/CD`.", func(i *image) sasapi.String { return i.RegistryType }),
	stringField("instance_id", "InstanceId", "Id of the registry instance holding the image.", func(i *image) sasapi.String { return i.InstanceId }),
	stringField("region_id", "RegionId", "Region of the image, such as `cn-hangzhou`.", func(i *image) sasapi.String { return i.RegionId }),
	stringField("status", "Status", "Image status, such as `NORMAL`.", func(i *image) sasapi.String { return i.Status }),
	intField("image_size", "ImageSize", "Image size as the service reports it (a numeric string on the wire; documented as MB, observed as bytes).", func(i *image) sasapi.Int { return i.ImageSize }),
	intField("image_create", "ImageCreate", "Creation time, Unix milliseconds.", func(i *image) sasapi.Int { return i.ImageCreate }),
	timeField("image_created_at", "ImageCreate", "Creation time, RFC 3339 in UTC (usable with `timecmp()`).", false, func(i *image) sasapi.Int { return i.ImageCreate }),
	intField("image_update", "ImageUpdate", "Last update time, Unix milliseconds.", func(i *image) sasapi.Int { return i.ImageUpdate }),
	timeField("image_updated_at", "ImageUpdate", "Last update time, RFC 3339 in UTC (usable with `timecmp()`).", false, func(i *image) sasapi.Int { return i.ImageUpdate }),
	intField("last_scan_time", "LastScanTime", "Last scan time, Unix milliseconds; `0` when the image was never scanned.", func(i *image) sasapi.Int { return i.LastScanTime }),
	timeField("last_scanned_at", "LastScanTime", "Last scan time, RFC 3339 in UTC (usable with `timecmp()`); **null when the image was never scanned** (`last_scan_time` 0).", true, func(i *image) sasapi.Int { return i.LastScanTime }),
	intField("vul_count", "VulCount", "Number of vulnerabilities found."+neverScannedCaveat, func(i *image) sasapi.Int { return i.VulCount }),
	intField("hc_count", "HcCount", "Number of baseline (configuration health check) risks found."+neverScannedCaveat, func(i *image) sasapi.Int { return i.HcCount }),
	intField("alarm_count", "AlarmCount", "Number of security alerts raised for the image."+neverScannedCaveat, func(i *image) sasapi.Int { return i.AlarmCount }),
	intField("sca_progress", "ScaProgress", "Progress of the current or last scan, 0 to 100.", func(i *image) sasapi.Int { return i.ScaProgress }),
	stringField("vul_status", "VulStatus", "`YES` when vulnerabilities were found, `NO` otherwise.", func(i *image) sasapi.String { return i.VulStatus }),
	stringField("hc_status", "HcStatus", "`YES` when baseline risks were found, `NO` otherwise.", func(i *image) sasapi.String { return i.HcStatus }),
	stringField("alarm_status", "AlarmStatus", "`YES` when alerts were raised, `NO` otherwise.", func(i *image) sasapi.String { return i.AlarmStatus }),
	stringField("risk_status", "RiskStatus", "`YES` when any risk (vulnerability, baseline risk or alert) exists, `NO` otherwise. `NO` on an image that was never successfully scanned means *unknown*, not *safe*.", func(i *image) sasapi.String { return i.RiskStatus }),
	stringField("sca_status", "ScaStatus", "Scan state: `SUCCESS` when the last scan completed; `INIT` (never scanned), `START`, `MESSAGE_SEND`, `START_RUN`, `DOWNLOAD`, `PRE_ANALYZER`, `WEB_SHELL_ANALYZER`, `CVE_ANALYZER`, `BIN_ANALYZER`, `OTHER_ANALYZER` (in progress), `PRE_ANALYZER_SUCCESS` (partial), `FAIL` or `TIMEOUT` (failed).", func(i *image) sasapi.String { return i.ScaStatus }),
	stringField("sca_result", "ScaResult", "Scan error code when a scan could not run, such as `TASK_NOT_SUPPORT_REGION`.", func(i *image) sasapi.String { return i.ScaResult }),
	boolField("deployed", "Deployed", "Whether the image is deployed (the service's `1`/`0`).", func(i *image) sasapi.Bool { return i.Deployed }),
	listField("endpoints", "Endpoints", "Image addresses (the service sends a JSON array inside a string; parsed here).", func(i *image) sasapi.StringList { return i.Endpoints }),
	stringField("source_biz_tag", "SourceBizTag", "Usage label, such as `PAI`; null when the service does not send it.", func(i *image) sasapi.String { return i.SourceBizTag }),
}

// imageAttrTypes is the object type of an element of `images`.
var imageAttrTypes = func() map[string]attr.Type {
	types := make(map[string]attr.Type, len(imageFields))
	for _, f := range imageFields {
		types[f.name] = f.typ
	}
	return types
}()

var imageObjectType = types.ObjectType{AttrTypes: imageAttrTypes}

// imageTFType and imagesTFType are the wire types of an element of `images`
// and of the list.
var (
	imageTFType  = imageObjectType.TerraformType(context.Background())
	imagesTFType = tftypes.List{ElementType: imageTFType}
)

// imagesValue converts images to the Terraform value of `images`. It builds
// tftypes values directly: the framework's attr.Value route validates every
// list element by copying its object type, which made conversion cost more
// than decoding at tens of thousands of images.
func imagesValue(images []image) tftypes.Value {
	cache := newValueCache()
	elems := make([]tftypes.Value, len(images))
	for k := range images {
		elems[k] = imageValue(&images[k], cache)
	}
	return tftypes.NewValue(imagesTFType, elems)
}

// imageValue converts one image to its Terraform object.
func imageValue(img *image, cache *valueCache) tftypes.Value {
	values := make(map[string]tftypes.Value, len(imageFields))
	for k := range imageFields {
		f := &imageFields[k]
		values[f.name] = f.value(img, cache)
	}
	return tftypes.NewValue(imageTFType, values)
}

func stringField(name, api, desc string, get func(*image) sasapi.String) imageField {
	return imageField{name: name, api: api, desc: desc, typ: types.StringType,
		schema: func(d string) schema.Attribute { return schema.StringAttribute{Computed: true, MarkdownDescription: d} },
		value:  func(i *image, c *valueCache) tftypes.Value { return c.str(get(i)) },
	}
}

func intField(name, api, desc string, get func(*image) sasapi.Int) imageField {
	return imageField{name: name, api: api, desc: desc, typ: types.Int64Type,
		schema: func(d string) schema.Attribute { return schema.Int64Attribute{Computed: true, MarkdownDescription: d} },
		value:  func(i *image, c *valueCache) tftypes.Value { return c.int(get(i)) },
	}
}

func boolField(name, api, desc string, get func(*image) sasapi.Bool) imageField {
	return imageField{name: name, api: api, desc: desc, typ: types.BoolType,
		schema: func(d string) schema.Attribute { return schema.BoolAttribute{Computed: true, MarkdownDescription: d} },
		value:  func(i *image, c *valueCache) tftypes.Value { return c.bool(get(i)) },
	}
}

func listField(name, api, desc string, get func(*image) sasapi.StringList) imageField {
	return imageField{name: name, api: api, desc: desc, typ: types.ListType{ElemType: types.StringType},
		schema: func(d string) schema.Attribute {
			return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: d}
		},
		value: func(i *image, c *valueCache) tftypes.Value { return c.stringList(get(i)) },
	}
}

// timeField renders Unix milliseconds as RFC 3339 in UTC. With zeroIsNull,
// 0 means "never" and becomes null.
func timeField(name, api, desc string, zeroIsNull bool, get func(*image) sasapi.Int) imageField {
	return imageField{name: name, api: api, desc: desc, typ: types.StringType,
		schema: func(d string) schema.Attribute { return schema.StringAttribute{Computed: true, MarkdownDescription: d} },
		value: func(i *image, c *valueCache) tftypes.Value {
			ms := get(i)
			if !ms.Valid || (zeroIsNull && ms.Value <= 0) {
				return c.nullString
			}
			return tftypes.NewValue(tftypes.String, time.UnixMilli(ms.Value).UTC().Format(time.RFC3339))
		},
	}
}

// writeStateTFTypes is today's route: every attribute but images through
// State.Set, then images built as tftypes and written into the raw state.
func (m *imageInstancesModel) writeStateTFTypes(ctx context.Context, state *tfsdk.State, images []image, totalCount int) diag.Diagnostics {
	m.ID = types.StringValue(m.argumentsID())
	m.TotalCount = types.Int64Value(int64(totalCount))
	m.IDs = make([]types.String, len(images))
	for k := range images {
		m.IDs[k] = stringValue(images[k].Uuid)
	}
	m.Summary = summarise(images)
	m.Images = []imageModel{}
	diags := state.Set(ctx, m)
	if diags.HasError() {
		return diags
	}
	value := imagesValue(nil)
	if !m.SummaryOnly.ValueBool() {
		value = imagesValue(images)
	}
	if err := setRawAttribute(state, "images", value); err != nil {
		diags.AddError("Cannot store images", err.Error())
	}
	return diags
}

// setRawAttribute replaces one top-level attribute of the state with a
// value built as tftypes.
func setRawAttribute(state *tfsdk.State, name string, value tftypes.Value) error {
	var attrs map[string]tftypes.Value
	if err := state.Raw.As(&attrs); err != nil {
		return fmt.Errorf("reading state object: %w", err)
	}
	attrs[name] = value
	state.Raw = tftypes.NewValue(state.Raw.Type(), attrs)
	return nil
}
