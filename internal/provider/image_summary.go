package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// summaryCount is one count of the risk summary: its definition is both
// the documentation and the code.
type summaryCount struct {
	name string
	desc string
	// add returns how much one image adds to the count.
	add func(*sasapi.ImageInstance) int64
}

var summaryCounts = []summaryCount{
	{"images", "Images in the result (all images read, also with `summary_only`).", func(*sasapi.ImageInstance) int64 { return 1 }},
	{"risky", "Images whose `risk_status` is `YES`.", func(i *sasapi.ImageInstance) int64 { return b2i(isRisky(i)) }},
	{"vulnerable", "Images whose `vul_count` is greater than 0.", func(i *sasapi.ImageInstance) int64 { return b2i(i.VulCount.Value > 0) }},
	{"baseline_risks", "Images whose `hc_count` is greater than 0.", func(i *sasapi.ImageInstance) int64 { return b2i(i.HcCount.Value > 0) }},
	{"alerting", "Images whose `alarm_count` is greater than 0.", func(i *sasapi.ImageInstance) int64 { return b2i(i.AlarmCount.Value > 0) }},
	{"not_scanned", "Images never successfully scanned: `sca_status` is not `SUCCESS` (or absent), or `last_scan_time` is 0 (or absent). Their counts and `risk_status` say nothing about their safety, so a gate should require this to be 0.", func(i *sasapi.ImageInstance) int64 { return b2i(!isScanned(i)) }},
	{"deployed_risky", "Images that are both `deployed` and risky (`risk_status` `YES`).", func(i *sasapi.ImageInstance) int64 { return b2i(i.Deployed.Value && isRisky(i)) }},
	{"vulnerabilities", "Sum of `vul_count` over the images.", func(i *sasapi.ImageInstance) int64 { return max(i.VulCount.Value, 0) }},
}

func isRisky(i *sasapi.ImageInstance) bool { return i.RiskStatus.Valid && i.RiskStatus.Value == "YES" }

func isScanned(i *sasapi.ImageInstance) bool {
	return i.ScaStatus.Valid && i.ScaStatus.Value == "SUCCESS" && i.LastScanTime.Valid && i.LastScanTime.Value > 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

var summaryAttrTypes = func() map[string]attr.Type {
	t := make(map[string]attr.Type, len(summaryCounts))
	for _, c := range summaryCounts {
		t[c.name] = types.Int64Type
	}
	return t
}()

func summarySchema() schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(summaryCounts))
	for _, c := range summaryCounts {
		attrs[c.name] = schema.Int64Attribute{Computed: true, MarkdownDescription: c.desc}
	}
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "Risk counts over every image the read returned (after `max_results`). A deployment gate reads " +
			"`self.summary.risky == 0 && self.summary.not_scanned == 0`.",
		Attributes: attrs,
	}
}

// summarise computes every count in one pass.
func summarise(images []sasapi.ImageInstance) types.Object {
	totals := make([]int64, len(summaryCounts))
	for k := range images {
		for c := range summaryCounts {
			totals[c] += summaryCounts[c].add(&images[k])
		}
	}
	values := make(map[string]attr.Value, len(summaryCounts))
	for c, count := range summaryCounts {
		values[count.name] = types.Int64Value(totals[c])
	}
	return types.ObjectValueMust(summaryAttrTypes, values)
}
