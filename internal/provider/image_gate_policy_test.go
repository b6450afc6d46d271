package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var gateAt = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// scannedImage is an image record scanned an hour before gateAt.
func scannedImage(uuid, repo, digest string) sasapi.ImageInstance {
	return sasapi.ImageInstance{
		Uuid: sasStr(uuid), RepoName: sasStr(repo), RepoNamespace: sasStr("prod"), Digest: sasStr(digest),
		ScaStatus: sasStr("SUCCESS"), LastScanTime: sasInt(gateAt.Add(-time.Hour).UnixMilli()),
	}
}

// vulnRow is an unfixed, fixable asap row with a CVSS of 5.
func vulnRow(name string, change func(*vulnerabilityModel)) vulnerabilityModel {
	v := vulnerabilityModel{
		Name: types.StringValue(name), AliasName: types.StringValue("title of " + name), CVEIDs: []string{"CVE-2020-" + name},
		Necessity: types.StringValue("asap"), Status: types.StringValue("unfixed"), CanFix: types.BoolValue(true),
		MaxCVSSScore: types.Float64Value(5), Severity: types.StringValue("medium"),
	}
	if change != nil {
		change(&v)
	}
	return v
}

func score(f float64) *float64 { return &f }

// Which vulnerability rows block, by the definitions of the vulnerabilities
// block.
func TestVulnPolicy_blocks(t *testing.T) {
	asap := vulnPolicy{necessities: []string{"asap"}, onlyFixable: true}
	cvss := vulnPolicy{necessities: []string{"asap"}, onlyFixable: true, minCVSS: score(9)}
	cases := []struct {
		name   string
		policy vulnPolicy
		change func(*vulnerabilityModel)
		want   bool
	}{
		{"asap and fixable", asap, nil, true},
		{"fixing still blocks", asap, func(v *vulnerabilityModel) { v.Status = types.StringValue("fixing") }, true},
		{"an unknown status blocks", asap, func(v *vulnerabilityModel) { v.Status = types.StringNull() }, true},
		{"fixed never blocks", asap, func(v *vulnerabilityModel) { v.Status = types.StringValue("fixed") }, false},
		{"no fix, only_fixable", asap, func(v *vulnerabilityModel) { v.CanFix = types.BoolValue(false) }, false},
		{"no fix, only_fixable off", vulnPolicy{necessities: []string{"asap"}}, func(v *vulnerabilityModel) { v.CanFix = types.BoolValue(false) }, true},
		{"fix unknown blocks", asap, func(v *vulnerabilityModel) { v.CanFix = types.BoolNull() }, true},
		{"later is not blocked", asap, func(v *vulnerabilityModel) { v.Necessity = types.StringValue("later") }, false},
		{"a priority left out blocks", asap, func(v *vulnerabilityModel) { v.Necessity = types.StringNull() }, true},
		{"an undocumented priority blocks", asap, func(v *vulnerabilityModel) { v.Necessity = types.StringValue("urgent") }, true},
		{"later, score at min_cvss", cvss, func(v *vulnerabilityModel) {
			v.Necessity = types.StringValue("later")
			v.MaxCVSSScore = types.Float64Value(9)
		}, true},
		{"later, score under min_cvss", cvss, func(v *vulnerabilityModel) {
			v.Necessity = types.StringValue("later")
			v.MaxCVSSScore = types.Float64Value(8.9)
		}, false},
		{"later, no score", cvss, func(v *vulnerabilityModel) {
			v.Necessity = types.StringValue("nntf")
			v.MaxCVSSScore = types.Float64Null()
		}, true},
		{"later, no score allowed", vulnPolicy{necessities: []string{"asap"}, minCVSS: score(9), allowUnknownSeverity: true},
			func(v *vulnerabilityModel) {
				v.Necessity = types.StringValue("nntf")
				v.MaxCVSSScore = types.Float64Null()
			}, false},
		{"high score without a fix, only_fixable", cvss, func(v *vulnerabilityModel) {
			v.Necessity = types.StringValue("later")
			v.MaxCVSSScore = types.Float64Value(9.8)
			v.CanFix = types.BoolValue(false)
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			row := vulnRow("a", tc.change)
			if got := tc.policy.blocks(&row); got != tc.want {
				t.Errorf("blocks = %v, want %v", got, tc.want)
			}
		})
	}
}

// A check item blocks unless fixed or whitelisted; a baseline whose items
// were not listed blocks as a whole unless fixed.
func TestBaselineFindings(t *testing.T) {
	item := func(key, status string, whitelisted bool) baselineItemModel {
		return baselineItemModel{Key: types.StringValue(key), Name: types.StringValue("item " + key), Status: types.StringValue(status), Whitelisted: types.BoolValue(whitelisted)}
	}
	b := baselineModel{Key: types.StringValue("b-ssh"), Name: types.StringValue("SSH"), Level: types.StringValue("high"), Status: types.StringValue("unfixed"),
		Items: []baselineItemModel{item("i-unfixed", "unfixed", false), item("i-fixed", "fixed", false), item("i-white", "unfixed", true),
			item("i-pending", "pending_verification", false), item("i-failed", "fix_failed", false)}}
	var ids []string
	for _, f := range baselineFindings(0, &b) {
		ids = append(ids, f.id)
		if f.detail != "baseline SSH" || f.level.ValueString() != "high" || !slices.Equal(f.aliases, []string{"b-ssh"}) {
			t.Errorf("finding %+v: want the baseline's name, level and key", f)
		}
	}
	if want := []string{"i-unfixed", "i-pending", "i-failed"}; !slices.Equal(ids, want) {
		t.Errorf("blocking items %v, want %v", ids, want)
	}
	b.Items = nil
	if got := baselineFindings(0, &b); len(got) != 1 || got[0].id != "b-ssh" {
		t.Errorf("baseline without listed items: %+v, want one finding for the baseline", got)
	}
	b.Status = types.StringValue(statusFixed)
	if got := baselineFindings(0, &b); len(got) != 0 {
		t.Errorf("fixed baseline without listed items: %+v, want none", got)
	}
}

// A secret's violation counts its files and names up to five paths, never
// the excerpt.
func TestSecretFinding_namesPathsNeverTheExcerpt(t *testing.T) {
	var files []secretFileModel
	for k := range 7 {
		files = append(files, secretFileModel{Path: types.StringValue(fmt.Sprintf("/app/%d.env", k)), Excerpt: types.StringValue("AKIASECRET****")})
	}
	s := sensitiveFileModel{Key: types.StringValue("aws_access_key"), Name: types.StringValue("AWS Access Key"), RiskLevel: types.StringValue("high"), Files: files}
	f := secretFinding(0, &s)
	want := "7 file(s): /app/0.env, /app/1.env, /app/2.env, /app/3.env, /app/4.env (and 2 more)"
	if f.detail != want || strings.Contains(fmt.Sprintf("%+v", f), "AKIASECRET") {
		t.Errorf("detail %q, want %q and no excerpt anywhere: %+v", f.detail, want, f)
	}
	s.Files = s.Files[:5]
	if f := secretFinding(0, &s); f.detail != "5 file(s): /app/0.env, /app/1.env, /app/2.env, /app/3.env, /app/4.env" {
		t.Errorf("five files: detail %q, want every path and nothing more", f.detail)
	}
	s.Files = s.Files[:2]
	if f := secretFinding(0, &s); f.detail != "2 file(s): /app/0.env, /app/1.env" {
		t.Errorf("detail %q", f.detail)
	}
}

// An image never scanned is a violation by itself; one scanned longer ago
// than max_scan_age is stale.
func TestGateFindings_scans(t *testing.T) {
	p := gatePolicy{at: gateAt, maxScanAge: 24 * time.Hour}
	never := scannedImage("u-never", "app", "d1")
	never.ScaStatus = sasStr("INIT")
	old := scannedImage("u-old", "app", "d2")
	old.LastScanTime = sasInt(gateAt.Add(-25 * time.Hour).UnixMilli())
	fresh := scannedImage("u-fresh", "app", "d3")
	fresh.LastScanTime = sasInt(gateAt.Add(-24 * time.Hour).UnixMilli())
	for _, tc := range []struct {
		image sasapi.ImageInstance
		want  []string
	}{{never, []string{kindNotScanned}}, {old, []string{kindStaleScan}}, {fresh, nil}} {
		var kinds []string
		for _, f := range p.findings(0, &gateImage{image: tc.image}) {
			kinds = append(kinds, f.kind)
			if f.id != tc.image.Uuid.Value {
				t.Errorf("%s: id %q, want the image uuid", f.kind, f.id)
			}
		}
		if !slices.Equal(kinds, tc.want) {
			t.Errorf("%s: kinds %v, want %v", tc.image.Uuid.Value, kinds, tc.want)
		}
	}
	p.maxScanAge = 0
	if got := p.findings(0, &gateImage{image: old}); len(got) != 0 {
		t.Errorf("without max_scan_age an old scan is fine, got %+v", got)
	}
}

// The order: image, kind, level (most severe first, unknown last), id.
func TestSortFindings(t *testing.T) {
	f := func(image int, kind, level, id string) finding {
		l := types.StringValue(level)
		if level == "" {
			l = types.StringNull()
		}
		return finding{image: image, kind: kind, level: l, id: id}
	}
	found := []finding{
		f(1, kindVulnerability, "asap", "a"),
		f(0, kindMaliciousFile, "remind", "m"),
		f(0, kindVulnerability, "", "z"),
		f(0, kindVulnerability, "later", "b"),
		f(0, kindVulnerability, "asap", "c"),
		f(0, kindVulnerability, "asap", "a"),
		f(0, kindStaleScan, "", "u"),
		f(0, kindBaseline, "low", "x"),
		f(0, kindBaseline, "high", "y"),
	}
	sortFindings(found)
	var got []string
	for _, x := range found {
		got = append(got, fmt.Sprintf("%d/%s/%s", x.image, x.kind, x.id))
	}
	want := []string{"0/stale_scan/u", "0/vulnerability/a", "0/vulnerability/c", "0/vulnerability/b", "0/vulnerability/z",
		"0/baseline/y", "0/baseline/x", "0/malicious_file/m", "1/vulnerability/a"}
	if !slices.Equal(got, want) {
		t.Errorf("order\n%v\nwant\n%v", got, want)
	}
}

func TestParseExpiry(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2027-01-31", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-01-31T18:00:00Z", time.Date(2027, 1, 31, 18, 0, 0, 0, time.UTC)},
		{"2027-01-31T18:00:00+08:00", time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		if got, err := parseExpiry(tc.in); err != nil || !got.Equal(tc.want) {
			t.Errorf("parseExpiry(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "31/01/2027", "2027-02-30", "tomorrow", "2027-01-31 18:00"} {
		if _, err := parseExpiry(bad); err == nil {
			t.Errorf("parseExpiry(%q) succeeded", bad)
		}
	}
}

// Exceptions: each kind applies by its id or an alias, in any case, within
// its scope, until it expires; an expired one is listed only as expired,
// one that covered nothing as unused, and one that expires within
// expiry_warning as expiring.
func TestGateEvaluate_exceptions(t *testing.T) {
	payments := scannedImage("u-pay", "payments-api", strings.Repeat("ab", 32))
	checkout := scannedImage("u-chk", "checkout-web", strings.Repeat("cd", 32))
	images := func() []gateImage {
		return []gateImage{
			{image: payments,
				vulns:     []vulnerabilityModel{vulnRow("centos:7:CVE-1", nil)},
				baselines: []baselineModel{{Key: types.StringValue("b-ssh"), Name: types.StringValue("SSH"), Level: types.StringValue("high"), Status: types.StringValue("unfixed"), Items: []baselineItemModel{{Key: types.StringValue("i-root"), Name: types.StringValue("root login"), Status: types.StringValue("unfixed"), Whitelisted: types.BoolValue(false)}}}},
				secrets:   []sensitiveFileModel{{Key: types.StringValue("aws_access_key"), RiskLevel: types.StringValue("high"), UnprocessedCount: types.Int64Value(1), Status: types.StringValue("unhandled")}},
				malware:   []maliciousFileModel{{MD5: types.StringValue("d836968041f7683b5459a1c2e3f4a5b6"), Level: types.StringValue("serious"), Status: types.StringValue("unhandled"), Path: types.StringValue("/usr/bin/x")}}},
			{image: checkout, vulns: []vulnerabilityModel{vulnRow("centos:7:CVE-1", nil)}},
		}
	}
	policy := func(exceptions ...gateException) gatePolicy {
		return gatePolicy{at: gateAt, expiryWarning: 14 * 24 * time.Hour, vulns: &vulnPolicy{necessities: []string{"asap"}, onlyFixable: true},
			baselines: &levelPolicy{levels: []string{"high"}, known: baselineLevels}, secrets: &levelPolicy{levels: sensitiveRiskLevels, known: sensitiveRiskLevels}, malware: &levelPolicy{levels: maliciousLevels, known: maliciousLevels},
			exceptions: exceptions}
	}
	exc := func(kind, id string, until time.Time, scope ...string) gateException {
		return gateException{kind: kind, id: id, scope: scope, until: until, expiresText: until.Format(time.RFC3339), reason: "accepted: " + id}
	}
	later := gateAt.Add(60 * 24 * time.Hour)
	cases := []struct {
		name                      string
		exceptions                []gateException
		excepted                  []string // image/kind/id
		expired, unused, expiring []string // ids
	}{
		{"no exception", nil, nil, nil, nil, nil},
		{"vulnerability by name, every image", []gateException{exc(kindVulnerability, "centos:7:CVE-1", later)},
			[]string{"u-pay/vulnerability/centos:7:CVE-1", "u-chk/vulnerability/centos:7:CVE-1"}, nil, nil, nil},
		{"vulnerability by CVE id in another case", []gateException{exc(kindVulnerability, "cve-2020-centos:7:CVE-1", later)},
			[]string{"u-pay/vulnerability/centos:7:CVE-1", "u-chk/vulnerability/centos:7:CVE-1"}, nil, nil, nil},
		{"scoped to a repository", []gateException{exc(kindVulnerability, "centos:7:CVE-1", later, "payments-api")},
			[]string{"u-pay/vulnerability/centos:7:CVE-1"}, nil, nil, nil},
		{"scoped to namespace/name", []gateException{exc(kindVulnerability, "centos:7:CVE-1", later, "prod/checkout-web")},
			[]string{"u-chk/vulnerability/centos:7:CVE-1"}, nil, nil, nil},
		{"scoped to a digest", []gateException{exc(kindVulnerability, "centos:7:CVE-1", later, normalizeDigestText("SHA256:"+strings.Repeat("CD", 32)))},
			[]string{"u-chk/vulnerability/centos:7:CVE-1"}, nil, nil, nil},
		{"baseline by item key", []gateException{exc(kindBaseline, "i-root", later)}, []string{"u-pay/baseline/i-root"}, nil, nil, nil},
		{"baseline by baseline key", []gateException{exc(kindBaseline, "b-ssh", later)}, []string{"u-pay/baseline/i-root"}, nil, nil, nil},
		{"secret by type key", []gateException{exc(kindSensitiveFile, "aws_access_key", later)}, []string{"u-pay/sensitive_file/aws_access_key"}, nil, nil, nil},
		{"malware by MD5 in capitals", []gateException{exc(kindMaliciousFile, "D836968041F7683B5459A1C2E3F4A5B6", later)},
			[]string{"u-pay/malicious_file/d836968041f7683b5459a1c2e3f4a5b6"}, nil, nil, nil},
		{"wrong kind does not apply", []gateException{exc(kindBaseline, "centos:7:CVE-1", later)}, nil, nil, []string{"centos:7:CVE-1"}, nil},
		{"expired exactly at its end", []gateException{exc(kindVulnerability, "centos:7:CVE-1", gateAt)}, nil, []string{"centos:7:CVE-1"}, nil, nil},
		{"expires within the warning", []gateException{exc(kindSensitiveFile, "aws_access_key", gateAt.Add(24*time.Hour))},
			[]string{"u-pay/sensitive_file/aws_access_key"}, nil, nil, []string{"aws_access_key"}},
		{"expires exactly at the warning's end", []gateException{exc(kindSensitiveFile, "aws_access_key", gateAt.Add(14*24*time.Hour))},
			[]string{"u-pay/sensitive_file/aws_access_key"}, nil, nil, []string{"aws_access_key"}},
		{"expires a second after the warning's end", []gateException{exc(kindSensitiveFile, "aws_access_key", gateAt.Add(14*24*time.Hour+time.Second))},
			[]string{"u-pay/sensitive_file/aws_access_key"}, nil, nil, nil},
		{"unused and expiring", []gateException{exc(kindMaliciousFile, "00000000000000000000000000000000", gateAt.Add(time.Hour))},
			nil, nil, []string{"00000000000000000000000000000000"}, []string{"00000000000000000000000000000000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			imgs := images()
			p := policy(tc.exceptions...)
			v := p.evaluate(imgs)
			var excepted []string
			for _, x := range v.excepted {
				excepted = append(excepted, imgs[x.image].image.Uuid.Value+"/"+x.kind+"/"+x.id)
				if x.exception.reason != "accepted: "+x.exception.id {
					t.Errorf("excepted %s carries reason %q", x.id, x.exception.reason)
				}
			}
			ids := func(list []*gateException) []string {
				var out []string
				for _, e := range list {
					out = append(out, e.id)
				}
				return out
			}
			if !slices.Equal(excepted, tc.excepted) || !slices.Equal(ids(v.expired), tc.expired) || !slices.Equal(ids(v.unused), tc.unused) || !slices.Equal(ids(v.expiring), tc.expiring) {
				t.Errorf("excepted %v expired %v unused %v expiring %v\nwant %v %v %v %v", excepted, ids(v.expired), ids(v.unused), ids(v.expiring),
					tc.excepted, tc.expired, tc.unused, tc.expiring)
			}
			// Every finding is a violation or excepted, never both.
			bare := policy()
			if want := len(bare.evaluate(images()).violations); len(v.violations)+len(v.excepted) != want {
				t.Errorf("%d violations and %d excepted, want %d findings in all", len(v.violations), len(v.excepted), want)
			}
		})
	}
}

// A level the policy does not block passes; one the service left out, or
// does not document, blocks.
func TestLevelPolicy_blocks(t *testing.T) {
	p := levelPolicy{levels: []string{"high"}, known: baselineLevels}
	cases := []struct {
		level types.String
		want  bool
	}{
		{types.StringValue("high"), true},
		{types.StringValue("medium"), false},
		{types.StringValue("low"), false},
		{types.StringNull(), true},
		{types.StringValue("critical"), true},
		{types.StringValue(""), true},
	}
	for _, tc := range cases {
		if got := p.blocks(tc.level); got != tc.want {
			t.Errorf("blocks(%s) = %v, want %v", tc.level, got, tc.want)
		}
	}
}
