package provider

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The release policy of sas_image_gate, evaluated: what each policy block
// makes a violation, which accepted-risk exceptions cover which findings,
// and the order of the verdict. Pure code over the data sources' models.

// Kinds of violations, in the order the gateVerdict lists them.
const (
	kindNotScanned    = "not_scanned"
	kindStaleScan     = "stale_scan"
	kindVulnerability = "vulnerability"
	kindBaseline      = "baseline"
	kindSensitiveFile = "sensitive_file"
	kindMaliciousFile = "malicious_file"
)

var violationKinds = []string{kindNotScanned, kindStaleScan, kindVulnerability, kindBaseline, kindSensitiveFile, kindMaliciousFile}

// exceptionKinds are the kinds an exception may accept: the scan of an
// image is never excepted.
var exceptionKinds = []string{kindVulnerability, kindBaseline, kindSensitiveFile, kindMaliciousFile}

// kindLevels are each kind's levels, most severe first.
var kindLevels = map[string][]string{
	kindVulnerability: vulNecessities,
	kindBaseline:      baselineLevels,
	kindSensitiveFile: sensitiveRiskLevels,
	kindMaliciousFile: maliciousLevels,
}

// gatePolicy is the policy the arguments ask for; a nil block is not
// checked (and its data not read).
type gatePolicy struct {
	at            time.Time
	maxScanAge    time.Duration // 0: any scan age
	expiryWarning time.Duration
	vulns         *vulnPolicy
	baselines     *levelPolicy
	secrets       *levelPolicy
	malware       *levelPolicy
	exceptions    []gateException
}

type vulnPolicy struct {
	necessities          []string
	onlyFixable          bool
	minCVSS              *float64
	allowUnknownSeverity bool
}

// levelPolicy blocks the findings of some of the known levels of a kind.
type levelPolicy struct {
	levels []string // blocked
	known  []string // every documented level of the kind
}

// blocks reports whether a finding of level is blocked: a level the
// service left out, or one it does not document, is, failing closed.
func (p *levelPolicy) blocks(level types.String) bool {
	return level.IsNull() || !slices.Contains(p.known, level.ValueString()) || slices.Contains(p.levels, level.ValueString())
}

// gateException is an accepted risk.
type gateException struct {
	kind, id string
	scope    []string // normalised: repository names and bare lower-case digests
	// expiresText is as configured; until is when it stops applying.
	expiresText string
	until       time.Time
	reason      string
}

// finding is one violation of the policy, before exceptions.
type finding struct {
	image   int // index into the gate's images
	kind    string
	id      string
	title   types.String
	level   types.String
	fixable types.Bool
	fix     types.String
	detail  string
	// aliases are other ids an exception may name: a vulnerability's CVE
	// ids, a check item's baseline.
	aliases []string
}

// gateImage is one image of the gate with what was read of it.
type gateImage struct {
	image     sasapi.ImageInstance
	vulns     []vulnerabilityModel
	baselines []baselineModel
	secrets   []sensitiveFileModel
	malware   []maliciousFileModel
}

// excepted is a finding an exception covered.
type excepted struct {
	finding
	exception *gateException
}

// gateVerdict is the gate's outcome.
type gateVerdict struct {
	violations []finding
	excepted   []excepted
	expired    []*gateException
	unused     []*gateException
	expiring   []*gateException // not expired, within expiryWarning
}

// evaluate applies the policy to the images.
func (p *gatePolicy) evaluate(images []gateImage) gateVerdict {
	var found []finding
	for k := range images {
		found = append(found, p.findings(k, &images[k])...)
	}
	sortFindings(found)
	var v gateVerdict
	used := make([]bool, len(p.exceptions))
	for _, f := range found {
		if e := p.exceptionFor(f, &images[f.image].image); e >= 0 {
			used[e] = true
			v.excepted = append(v.excepted, excepted{finding: f, exception: &p.exceptions[e]})
			continue
		}
		v.violations = append(v.violations, f)
	}
	for k := range p.exceptions {
		e := &p.exceptions[k]
		switch {
		case !p.at.Before(e.until):
			v.expired = append(v.expired, e)
		case !used[k]:
			v.unused = append(v.unused, e)
		}
		if p.at.Before(e.until) && e.until.Sub(p.at) <= p.expiryWarning {
			v.expiring = append(v.expiring, e)
		}
	}
	return v
}

// findings lists what one image violates, before exceptions.
func (p *gatePolicy) findings(k int, g *gateImage) []finding {
	uuid := g.image.Uuid.Value
	if !isScanned(&g.image) {
		return []finding{{image: k, kind: kindNotScanned, id: uuid, title: types.StringValue("The image was never successfully scanned"),
			level: types.StringNull(), fixable: types.BoolNull(), fix: types.StringValue("Scan the image (sas_image_scan), then gate again."),
			detail: "never scanned: its risk is unknown"}}
	}
	var out []finding
	if p.maxScanAge > 0 {
		scanned := time.UnixMilli(g.image.LastScanTime.Value).UTC()
		if p.at.Sub(scanned) > p.maxScanAge {
			out = append(out, finding{image: k, kind: kindStaleScan, id: uuid, title: types.StringValue("The last scan is older than max_scan_age"),
				level: types.StringNull(), fixable: types.BoolNull(), fix: types.StringValue("Scan the image again (sas_image_scan)."),
				detail: fmt.Sprintf("last scanned %s, %s before %s", scanned.Format(time.RFC3339), p.at.Sub(scanned).Round(time.Minute), p.at.Format(time.RFC3339))})
		}
	}
	if p.vulns != nil {
		for i := range g.vulns {
			if v := &g.vulns[i]; p.vulns.blocks(v) {
				out = append(out, vulnFinding(k, v))
			}
		}
	}
	if p.baselines != nil {
		for i := range g.baselines {
			if b := &g.baselines[i]; p.baselines.blocks(b.Level) {
				out = append(out, baselineFindings(k, b)...)
			}
		}
	}
	if p.secrets != nil {
		for i := range g.secrets {
			if s := &g.secrets[i]; p.secrets.blocks(s.RiskLevel) && hasUnprocessed(s) {
				out = append(out, secretFinding(k, s))
			}
		}
	}
	if p.malware != nil {
		for i := range g.malware {
			if f := &g.malware[i]; p.malware.blocks(f.Level) && maliciousUnhandled(f) {
				out = append(out, malwareFinding(k, f))
			}
		}
	}
	return out
}

// blocks reports whether a vulnerability row violates the policy. A fixed
// row never does; a row of a blocked fix priority does (so does one of a
// priority left out or not documented), and with min_cvss
// a row whose highest score reaches it, or that has no score at all unless
// allow_unknown_severity. With only_fixable, a row without a fix does not,
// while one whose fix is unknown does (failing closed).
func (p *vulnPolicy) blocks(v *vulnerabilityModel) bool {
	if v.Status.ValueString() == "fixed" {
		return false
	}
	if p.onlyFixable && !v.CanFix.IsNull() && !v.CanFix.ValueBool() {
		return false
	}
	necessity := v.Necessity.ValueString()
	if v.Necessity.IsNull() || !slices.Contains(vulNecessities, necessity) || slices.Contains(p.necessities, necessity) {
		return true
	}
	if p.minCVSS == nil {
		return false
	}
	if v.MaxCVSSScore.IsNull() {
		return !p.allowUnknownSeverity
	}
	return v.MaxCVSSScore.ValueFloat64() >= *p.minCVSS
}

func vulnFinding(k int, v *vulnerabilityModel) finding {
	var packages, fixes []string
	for _, pkg := range v.Packages {
		if pkg.Name.ValueString() != "" {
			packages = append(packages, strings.TrimSpace(pkg.Name.ValueString()+" "+pkg.Version.ValueString()))
		}
		if cmd := pkg.UpdateCmd.ValueString(); cmd != "" && !slices.Contains(fixes, cmd) {
			fixes = append(fixes, cmd)
		}
	}
	detail := "no affected package listed"
	if len(packages) > 0 {
		detail = strings.Join(packages, ", ")
	}
	fix := types.StringNull()
	if len(fixes) > 0 {
		fix = types.StringValue(strings.Join(fixes, "; "))
	}
	return finding{image: k, kind: kindVulnerability, id: v.Name.ValueString(), title: v.AliasName, level: v.Necessity,
		fixable: v.CanFix, fix: fix, detail: detail, aliases: v.CVEIDs}
}

// baselineFindings are a baseline's failing check items: an item blocks
// unless it is fixed or whitelisted (pending or failed verification
// blocks). A baseline whose items could not be listed blocks as a whole
// unless it is fixed.
func baselineFindings(k int, b *baselineModel) []finding {
	one := func(id string, title types.String) finding {
		return finding{image: k, kind: kindBaseline, id: id, title: title, level: b.Level, fixable: types.BoolNull(),
			fix: types.StringNull(), detail: "baseline " + cmp.Or(b.Name.ValueString(), b.Key.ValueString()), aliases: []string{b.Key.ValueString()}}
	}
	if b.Items == nil {
		if b.Status.ValueString() == statusFixed {
			return nil
		}
		return []finding{one(b.Key.ValueString(), b.Name)}
	}
	var out []finding
	for _, item := range b.Items {
		if item.Status.ValueString() != statusFixed && !item.Whitelisted.ValueBool() {
			out = append(out, one(item.Key.ValueString(), item.Name))
		}
	}
	return out
}

// maxPathsInDetail bounds the paths a secret's violation names.
const maxPathsInDetail = 5

// secretFinding names the type and, with its files, how many and up to
// five paths; never an excerpt.
func secretFinding(k int, s *sensitiveFileModel) finding {
	detail := "files not listed"
	if s.Files != nil {
		paths := make([]string, 0, min(len(s.Files), maxPathsInDetail))
		for _, f := range s.Files[:min(len(s.Files), maxPathsInDetail)] {
			paths = append(paths, f.Path.ValueString())
		}
		detail = fmt.Sprintf("%d file(s): %s", len(s.Files), strings.Join(paths, ", "))
		if more := len(s.Files) - maxPathsInDetail; more > 0 {
			detail += fmt.Sprintf(" (and %d more)", more)
		}
	}
	return finding{image: k, kind: kindSensitiveFile, id: s.Key.ValueString(), title: s.Name, level: s.RiskLevel,
		fixable: types.BoolNull(), fix: s.Advice, detail: detail}
}

func malwareFinding(k int, f *maliciousFileModel) finding {
	return finding{image: k, kind: kindMaliciousFile, id: f.MD5.ValueString(), title: f.Name, level: f.Level,
		fixable: types.BoolNull(), fix: types.StringNull(), detail: f.Path.ValueString()}
}

// sortFindings orders by image, then kind, then level (most severe first;
// an unknown level after the known ones), then id; findings equal in all
// keep the service's order.
func sortFindings(found []finding) {
	slices.SortStableFunc(found, func(a, b finding) int {
		return cmp.Or(
			cmp.Compare(a.image, b.image),
			cmp.Compare(slices.Index(violationKinds, a.kind), slices.Index(violationKinds, b.kind)),
			cmp.Compare(levelRank(a), levelRank(b)),
			cmp.Compare(a.id, b.id),
		)
	})
}

func levelRank(f finding) int {
	levels := kindLevels[f.kind]
	if r := slices.Index(levels, f.level.ValueString()); r >= 0 && !f.level.IsNull() {
		return r
	}
	return len(levels)
}

// exceptionFor is the index of the first exception that covers f on
// image, -1 for none: the same kind, its id or an alias (in any case),
// the image in its scope, and not expired.
func (p *gatePolicy) exceptionFor(f finding, image *sasapi.ImageInstance) int {
	for k := range p.exceptions {
		e := &p.exceptions[k]
		if e.kind != f.kind || !p.at.Before(e.until) || !inScope(e.scope, image) {
			continue
		}
		if strings.EqualFold(e.id, f.id) || slices.ContainsFunc(f.aliases, func(a string) bool { return strings.EqualFold(e.id, a) }) {
			return k
		}
	}
	return -1
}

// inScope: no scope is every image; otherwise one entry names the image's
// repository (name, or namespace/name) or its digest.
func inScope(scope []string, image *sasapi.ImageInstance) bool {
	if len(scope) == 0 {
		return true
	}
	names := []string{image.RepoName.Value, image.RepoNamespace.Value + "/" + image.RepoName.Value, normalizeDigestText(image.Digest.Value)}
	return slices.ContainsFunc(scope, func(s string) bool { return slices.Contains(names, s) })
}

// parseExpiry reads an exception's expires: a date is valid through that
// day (UTC), an RFC 3339 time until that instant.
func parseExpiry(s string) (time.Time, error) {
	if day, err := time.Parse(time.DateOnly, s); err == nil {
		return day.AddDate(0, 0, 1), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (2027-01-31, valid through that day in UTC) nor an RFC 3339 time (2027-01-31T18:00:00Z)", s)
	}
	return t, nil
}
