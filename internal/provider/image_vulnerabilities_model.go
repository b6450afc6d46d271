package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The models, vocabularies, filters, conversion and summary of
// sas_image_vulnerabilities: pure code, kept out of the data source file
// so that tools/gremlins/provider.yaml mutation-tests it.

// The service's three vocabularies, each the single source of truth for
// its validator, its mapping and its documentation.
var (
	// vulNecessities are the fix priorities, most urgent first.
	vulNecessities = []string{"asap", "later", "nntf"}
	// vulStatuses map status names to the service's codes.
	vulStatuses = []struct {
		name string
		code int64
	}{
		{"unfixed", sasapi.VulStatusUnfixed},
		{"fixing", sasapi.VulStatusFixing},
		{"fixed", sasapi.VulStatusFixed},
	}
	// vulSeverities are the CVE levels (VulLevel), most severe first.
	vulSeverities = []string{"serious", "high", "medium", "low"}
)

func vulStatusNames() []string {
	names := make([]string, len(vulStatuses))
	for k, s := range vulStatuses {
		names[k] = s.name
	}
	return names
}

// vulStatusName names a status code; an unknown code is kept as its
// decimal string, an absent one is null.
func vulStatusName(code sasapi.Int) types.String {
	if !code.Valid {
		return types.StringNull()
	}
	for _, s := range vulStatuses {
		if s.code == code.Value {
			return types.StringValue(s.name)
		}
	}
	return types.StringValue(strconv.FormatInt(code.Value, 10))
}

func vulStatusCode(name string) (int64, bool) {
	for _, s := range vulStatuses {
		if s.name == name {
			return s.code, true
		}
	}
	return 0, false
}

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

type vulSummaryModel struct {
	Vulnerabilities types.Int64   `tfsdk:"vulnerabilities"`
	Images          types.Int64   `tfsdk:"images"`
	Asap            types.Int64   `tfsdk:"asap"`
	Later           types.Int64   `tfsdk:"later"`
	Nntf            types.Int64   `tfsdk:"nntf"`
	Fixable         types.Int64   `tfsdk:"fixable"`
	AsapFixable     types.Int64   `tfsdk:"asap_fixable"`
	Unfixed         types.Int64   `tfsdk:"unfixed"`
	Serious         types.Int64   `tfsdk:"serious"`
	High            types.Int64   `tfsdk:"high"`
	Medium          types.Int64   `tfsdk:"medium"`
	Low             types.Int64   `tfsdk:"low"`
	UnknownSeverity types.Int64   `tfsdk:"unknown_severity"`
	MaxCVSSScore    types.Float64 `tfsdk:"max_cvss_score"`
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
			if matchesAny(a.necessities, r.Necessity.Value, r.Necessity.Valid) && matchesAny(a.statuses, vulStatusName(r.Status).ValueString(), r.Status.Valid) {
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
		Status:        vulStatusName(r.Status),
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

// higherScore is the higher of two scores, null only when both are. It
// uses max rather than a comparison, whose boundary mutant (> or >=) would
// be equivalent.
func higherScore(a, b types.Float64) types.Float64 {
	if a.IsNull() {
		return b
	}
	if b.IsNull() {
		return a
	}
	return types.Float64Value(max(a.ValueFloat64(), b.ValueFloat64()))
}

// summariseVulnerabilities computes the summary over the returned rows, as
// the schema defines each count.
func summariseVulnerabilities(rows []vulnerabilityModel, withDetails bool) vulSummaryModel {
	var s struct{ asap, later, nntf, fixable, asapFixable, unfixed, unknown int64 }
	levels := map[string]int64{}
	images := map[string]bool{}
	maxScore := types.Float64Null()
	for k := range rows {
		v := &rows[k]
		if !v.ImageUUID.IsNull() {
			images[v.ImageUUID.ValueString()] = true
		}
		switch v.Necessity.ValueString() {
		case "asap":
			s.asap++
			if v.CanFix.ValueBool() {
				s.asapFixable++
			}
		case "later":
			s.later++
		case "nntf":
			s.nntf++
		}
		if v.CanFix.ValueBool() {
			s.fixable++
		}
		if v.Status.ValueString() == "unfixed" {
			s.unfixed++
		}
		if v.Severity.IsNull() {
			s.unknown++
		} else {
			levels[v.Severity.ValueString()]++
		}
		maxScore = higherScore(maxScore, v.MaxCVSSScore)
	}
	summary := vulSummaryModel{
		Vulnerabilities: types.Int64Value(int64(len(rows))),
		Images:          types.Int64Value(int64(len(images))),
		Asap:            types.Int64Value(s.asap),
		Later:           types.Int64Value(s.later),
		Nntf:            types.Int64Value(s.nntf),
		Fixable:         types.Int64Value(s.fixable),
		AsapFixable:     types.Int64Value(s.asapFixable),
		Unfixed:         types.Int64Value(s.unfixed),
		Serious:         types.Int64Null(),
		High:            types.Int64Null(),
		Medium:          types.Int64Null(),
		Low:             types.Int64Null(),
		UnknownSeverity: types.Int64Null(),
		MaxCVSSScore:    types.Float64Null(),
	}
	if withDetails {
		summary.Serious = types.Int64Value(levels["serious"])
		summary.High = types.Int64Value(levels["high"])
		summary.Medium = types.Int64Value(levels["medium"])
		summary.Low = types.Int64Value(levels["low"])
		summary.UnknownSeverity = types.Int64Value(s.unknown)
		summary.MaxCVSSScore = maxScore
	}
	return summary
}

// id hashes the arguments, so equal arguments give equal ids.
func (a vulArguments) id() string {
	encoded, _ := json.Marshal(struct { // cannot fail: strings, numbers and bools
		Query       sasapi.ImageVulQuery
		Necessities []string
		Statuses    []string
		MaxResults  int
		PageSize    int
		Details     bool
	}{a.query, a.necessities, a.statuses, a.maxResults, a.pageSize, a.withDetails})
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:12])
}
