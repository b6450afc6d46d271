package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// How sas_image_scan's model follows the scan task: the request for the
// arguments and the computed attributes from what the service reports. No
// Terraform plumbing.

// request is the client's scan request for the arguments.
func (m imageScanModel) request() sasapi.ImageScanRequest {
	return sasapi.ImageScanRequest{
		Digest:        m.Digest.ValueString(),
		RegionID:      m.RegionID.ValueString(),
		InstanceID:    m.InstanceID.ValueString(),
		RepoName:      m.RepoName.ValueString(),
		RepoNamespace: m.RepoNamespace.ValueString(),
		Tag:           m.Tag.ValueString(),
		RegistryType:  m.RegistryType.ValueString(),
	}
}

// setStarted records a scan that just started.
func (m *imageScanModel) setStarted(start *sasapi.ScanStart) {
	if start.Task != nil {
		m.setTask(start.Task, start.TaskID)
		return
	}
	m.ID, m.TaskID = types.StringValue(start.TaskID), types.StringValue(start.TaskID)
	m.Status, m.StartedAt = types.StringNull(), types.StringNull()
	m.FinishedAt, m.ImagesScanned = types.StringNull(), types.Int64Null()
	if d := start.Data; d != nil {
		if s := strings.ToUpper(d.Status.Value); s != "" {
			m.Status = types.StringValue(s)
		}
		m.StartedAt = millisText(d.ExecTime)
	}
}

// setTask records what the service reports of the task; fallbackID is the
// id to keep when the report has none.
func (m *imageScanModel) setTask(t *sasapi.ImageScanTask, fallbackID string) {
	id := t.TaskId.Value
	if id == "" {
		id = fallbackID
	}
	m.ID, m.TaskID = types.StringValue(id), types.StringValue(id)
	m.Status = types.StringNull()
	if s := t.ScanStatus(); s != "" {
		m.Status = types.StringValue(s)
	}
	m.StartedAt = millisText(t.StartTime)
	m.FinishedAt = types.StringNull()
	if t.Finished() {
		m.FinishedAt = millisText(t.FinishTime)
	}
	m.ImagesScanned = types.Int64Null()
	if t.Finish.Valid {
		m.ImagesScanned = types.Int64Value(t.Finish.Value)
	}
}

// millisText is rfc3339OrNever for a plain string attribute: RFC 3339 in
// UTC; absent, zero or less is null.
func millisText(ms sasapi.Int) types.String {
	at := rfc3339OrNever(ms)
	if at.IsNull() {
		return types.StringNull()
	}
	return types.StringValue(at.ValueString())
}
