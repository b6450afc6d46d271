package provider

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// imageAttributeSources names, for each attribute of images, the wire
// field it comes from; a test oracle independent of newImageModel.
var imageAttributeSources = map[string]string{
	"uuid": "Uuid", "image_id": "ImageId", "digest": "Digest", "tag": "Tag", "repo_name": "RepoName",
	"repo_namespace": "RepoNamespace", "repo_id": "RepoId", "repo_type": "RepoType", "registry_type": "RegistryType",
	"instance_id": "InstanceId", "region_id": "RegionId", "status": "Status", "image_size": "ImageSize",
	"image_create": "ImageCreate", "image_created_at": "ImageCreate", "image_update": "ImageUpdate",
	"image_updated_at": "ImageUpdate", "last_scan_time": "LastScanTime", "last_scanned_at": "LastScanTime",
	"vul_count": "VulCount", "hc_count": "HcCount", "alarm_count": "AlarmCount", "sca_progress": "ScaProgress",
	"vul_status": "VulStatus", "hc_status": "HcStatus", "alarm_status": "AlarmStatus", "risk_status": "RiskStatus",
	"sca_status": "ScaStatus", "sca_result": "ScaResult", "deployed": "Deployed", "endpoints": "Endpoints",
	"source_biz_tag": "SourceBizTag",
}

// Every attribute of an image holds its wire field's value, and null when
// the field is absent; times are RFC 3339 in UTC, and a scan time of 0 or
// less means never scanned: null.
func TestNewImageModel_mapsEveryFieldFromTheWire(t *testing.T) {
	if len(imageAttributeSources) != len(imageSchemaAttributes()) {
		t.Fatalf("the test knows %d attributes, images have %d", len(imageAttributeSources), len(imageSchemaAttributes()))
	}
	images := []fakesas.Image{
		fakesas.FullImage(),
		{"Uuid": "u-sparse"},
		img("u-never", "r", "1", fakesas.Image{"ScaStatus": "INIT", "LastScanTime": 0, "Endpoints": "[]", "Deployed": 0}),
		img("u-negative", "r", "2", fakesas.Image{"LastScanTime": -1, "ImageCreate": "0", "Deployed": "1"}),
		img("u-epoch-plus-one", "r", "3", fakesas.Image{"LastScanTime": 1, "Endpoints": `["a","b"]`}),
	}
	decoded := decodedImages(t, images)
	for k, wire := range images {
		model := reflect.ValueOf(newImageModel(&decoded[k]))
		for i := range model.NumField() {
			attr := model.Type().Field(i).Tag.Get("tfsdk")
			field := imageAttributeSources[attr]
			got := model.Field(i).Interface()
			if want := expectedAttribute(t, attr, wire[field]); !reflect.DeepEqual(got, want) {
				t.Errorf("%v: %s = %v, want %v (wire %s = %#v)", wire["Uuid"], attr, got, want, field, wire[field])
			}
		}
	}
}

// expectedAttribute converts a wire value the way the documentation says.
func expectedAttribute(t *testing.T, attr string, wire any) any {
	t.Helper()
	switch attr {
	case "image_created_at", "image_updated_at", "last_scanned_at":
		if wire == nil {
			return timetypes.NewRFC3339Null()
		}
		ms := wireNumber(t, wire)
		if attr == "last_scanned_at" && ms <= 0 {
			return timetypes.NewRFC3339Null()
		}
		return timetypes.NewRFC3339TimeValue(time.UnixMilli(ms).In(time.UTC))
	case "image_size", "image_create", "image_update", "last_scan_time", "vul_count", "hc_count", "alarm_count", "sca_progress":
		if wire == nil {
			return types.Int64Null()
		}
		return types.Int64Value(wireNumber(t, wire))
	case "deployed":
		if wire == nil {
			return types.BoolNull()
		}
		return types.BoolValue(wireNumber(t, wire) == 1)
	case "endpoints":
		if wire == nil {
			return []string(nil)
		}
		var list []string
		if err := json.Unmarshal([]byte(fmt.Sprint(wire)), &list); err != nil {
			t.Fatalf("Endpoints %v: %v", wire, err)
		}
		if list == nil {
			list = []string{}
		}
		return list
	}
	if wire == nil {
		return types.StringNull()
	}
	return types.StringValue(fmt.Sprint(wire))
}

func wireNumber(t *testing.T, v any) int64 {
	t.Helper()
	n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	if err != nil {
		t.Fatalf("%#v is not an integer", v)
	}
	return n
}
