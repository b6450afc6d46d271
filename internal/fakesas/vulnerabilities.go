package fakesas

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The vulnerability operations, DescribeImageVulList and DescribeVulDetails,
// are served from the same images as DescribeImageInstances: an image's rows
// are derived from its record each time they are asked for, so a change to
// the image (a new scan, another VulCount) changes its rows too.
//
// Decisions where the service is unspecified, all deliberate:
//
//   - An image has rows only when it is scanned (isScanned). Then it has
//     exactly VulCount rows with Status 1 (unfixed), followed by up to one
//     row with Status 4 (being fixed; only when VulCount > 0) and up to two
//     with Status 7 (fixed), drawn from its Uuid. VulCount counts only the
//     unfixed rows.
//   - Each image has one operating system, chosen by its repository, and its
//     rows name vulnerabilities of that system from a catalogue of
//     Options.VulnerabilityCatalogue names (DefaultVulnerabilityCatalogue
//     when 0), a quarter per system. The Uuid picks where in the catalogue
//     the image's rows start and the step between them, so the names of one
//     image are distinct until it has more rows than its system has names.
//   - Quirks of the wire appear on a fixed share of rows: ExtendContentJson
//     as a string holding JSON, Status, PrimaryId and FirstTs as numeric
//     strings, ModifyTs 0, ScanTime absent; in the catalogue, Related with
//     several comma-separated CVE ids, an empty CvssScore, and names whose
//     DescribeVulDetails answer lists no CVE.
//   - Edge cases for severity summaries, placed in the catalogue by the
//     entry's index k within its system (edgeShape, hasNoPackages): k%19 ==
//     11, one CVE with neither level nor score (even k: no VulLevel, empty
//     CvssScore; odd k: empty VulLevel, no CvssScore); k%23 == 7, two CVEs,
//     low then high; k%29 == 16, three, medium, serious, medium; k%31 == 13,
//     rows whose ExtendContentJson has "RpmEntityList": [] (CanFix as
//     drawn). Related lists every CVE of such a name. The residues keep
//     them off the hand-written demo images in the default catalogue (a
//     test holds it), so the rows the examples show are unchanged.
//   - Necessity and StatusList take one value; a comma-separated list is
//     rejected with InvalidParameter, since no list syntax is documented.
//     Type must be "cve". Lang, when sent, must be "zh" or "en";
//     DescribeVulDetails requires Name, Type and Lang. Both answer in
//     English whatever Lang says.
//   - A digest filter compares with the image's Digest exactly: a
//     "sha256:" prefix matches nothing, as the service's examples are bare.
//   - DescribeVulDetails of a name the catalogue does not know lists no CVE.

const (
	actionDescribeImageVulList = "DescribeImageVulList"
	actionDescribeVulDetails   = "DescribeVulDetails"
	defaultVulPageSize         = 10

	// DefaultVulnerabilityCatalogue is the number of distinct vulnerability
	// names the fake draws rows from when Options.VulnerabilityCatalogue is 0.
	DefaultVulnerabilityCatalogue = 1200
)

// Status codes of DescribeImageVulList rows.
const (
	VulStatusUnfixed = 1
	VulStatusFixing  = 4
	VulStatusFixed   = 7
)

// Record is one wire-level row or element (a vulnerability row, a CVE),
// keyed by API field name, as the fake serves it.
type Record map[string]any

// vulOS is an operating system whose packages vulnerabilities affect.
type vulOS struct {
	os, release string
	install     string // fix command, %s is the package
	packages    []string
}

var vulOSes = [...]vulOS{
	{"debian", "10", "apt-get update && apt-get install %s --only-upgrade",
		[]string{"openssl", "libssl1.1", "curl", "libcurl4", "zlib1g", "libxml2", "libc6", "libsystemd0", "libgnutls30", "libsqlite3-0"}},
	{"ubuntu", "20.04", "apt-get update && apt-get install %s --only-upgrade",
		[]string{"openssl", "libssl1.1", "curl", "libcurl4", "zlib1g", "libxml2", "libc6", "libpcre2-8-0", "libexpat1", "libtiff5"}},
	{"alpine", "3.15", "apk update && apk add --upgrade %s",
		[]string{"busybox", "musl", "openssl", "libcrypto1.1", "libssl1.1", "zlib", "expat", "libxml2", "curl", "ncurses-libs"}},
	{"centos", "7", "yum update -y %s",
		[]string{"glibc", "openssl-libs", "nss", "curl", "libxml2", "python", "krb5-libs", "bind-license", "sqlite", "expat"}},
}

// vulEntry is one vulnerability name of the catalogue.
type vulEntry struct {
	name, alias, related, necessity string
	canFix, canUpdate               bool
	os                              *vulOS
	pkg, version, fixed             string
	cves                            []Record
	shape                           vulShape
	// noPackages gives the rows naming it an empty RpmEntityList.
	noPackages bool
}

// vulShape is what is odd about the CVEs of an entry, for clients to cope
// with when they summarise severities.
type vulShape int

const (
	shapePlain vulShape = iota
	// shapeUnrated: one CVE without a level or a score.
	shapeUnrated
	// shapeLowAndHigh: two CVEs, low then high.
	shapeLowAndHigh
	// shapeSeriousAmongMedium: three CVEs, medium, serious, medium.
	shapeSeriousAmongMedium
)

// shapeLevels are the levels of a shaped entry's CVEs, in the order served;
// "" stands for a CVE without a level or a score.
var shapeLevels = map[vulShape][]string{
	shapeUnrated:            {""},
	shapeLowAndHigh:         {"low", "high"},
	shapeSeriousAmongMedium: {"medium", "serious", "medium"},
}

// levelScores is the range of CVSS scores of each level: lowest score and
// width, so that cvssLevel gives the level back.
var levelScores = map[string][2]float64{"serious": {9.0, 1.0}, "high": {7.0, 1.9}, "medium": {4.0, 2.9}, "low": {0.1, 3.8}}

// edgeShape places the shaped entries in the catalogue by their index k.
// The residues are ones that the hand-written demo images name none of in
// the default catalogue, so the rows the examples show stay as they were.
func edgeShape(k int) vulShape {
	switch {
	case k%19 == 11:
		return shapeUnrated
	case k%23 == 7:
		return shapeLowAndHigh
	case k%29 == 16:
		return shapeSeriousAmongMedium
	}
	return shapePlain
}

// hasNoPackages places the entries whose rows list no package, by the same
// rule as edgeShape.
func hasNoPackages(k int) bool { return k%31 == 13 }

// vulCatalogue holds the vulnerabilities of each operating system.
type vulCatalogue [len(vulOSes)][]vulEntry

// catalogueStream selects the catalogue's PRNG stream; this one gives the
// demo's vulnerable release urgent, fixable vulnerabilities.
const catalogueStream = 17

var necessities = [...]string{"asap", "later", "later", "nntf", "nntf"}

// newVulCatalogue builds a catalogue of about size names, the same for the
// same size.
func newVulCatalogue(size int) *vulCatalogue {
	perOS := max(1, size/len(vulOSes))
	var c vulCatalogue
	for o := range vulOSes {
		c[o] = make([]vulEntry, perOS)
		for k := range c[o] {
			c[o][k] = newVulEntry(&vulOSes[o], o, k)
		}
	}
	return &c
}

func newVulEntry(os *vulOS, o, k int) vulEntry {
	rng := rand.New(rand.NewPCG(uint64(o)<<32|uint64(k), catalogueStream))
	year := 2018 + k%7
	id := fmt.Sprintf("CVE-%d-%d", year, 10000+o*5000+k)
	e := vulEntry{
		name:      fmt.Sprintf("%s:%s:%s", os.os, os.release, id),
		related:   id,
		necessity: necessities[rng.IntN(len(necessities))],
		canFix:    rng.IntN(4) != 0,
		os:        os,
		pkg:       os.packages[rng.IntN(len(os.packages))],
	}
	e.canUpdate = e.canFix && rng.IntN(5) != 0
	minor, patch := 1+rng.IntN(9), rng.IntN(20)
	e.version = fmt.Sprintf("1.%d.%d-%d", minor, patch, 1+rng.IntN(4))
	e.fixed = fmt.Sprintf("1.%d.%d-1", minor, patch+1)
	e.alias = fmt.Sprintf("%s:%s %s", id, e.pkg, []string{"buffer overflow", "use after free", "out-of-bounds read", "denial of service", "integer overflow", "privilege escalation"}[rng.IntN(6)])
	e.noPackages = hasNoPackages(k)
	cveID := func(n int) string { return fmt.Sprintf("CVE-%d-%d", year, []int{10000, 40000, 70000}[n]+o*5000+k) }
	if e.shape = edgeShape(k); e.shape != shapePlain {
		e.cves = shapedCVEs(rng, e, k, cveID)
		ids := make([]string, len(e.cves))
		for n, c := range e.cves {
			ids[n] = fieldString(c["CveId"])
		}
		e.related = strings.Join(ids, ",")
		return e
	}
	ids := []string{id}
	if k%9 == 4 { // several CVEs behind one name
		ids = append(ids, cveID(1))
		e.related = strings.Join(ids, ",")
	}
	if k%17 == 5 { // details that list no CVE
		return e
	}
	for n, cve := range ids {
		c := cveRecord(rng, cve, e, drawScore(rng, scoreRanges[e.necessity]))
		if k%10 == 3 && n == 0 {
			c["CvssScore"] = ""
		}
		e.cves = append(e.cves, c)
	}
	return e
}

// shapedCVEs draws the CVEs of a shaped entry, with the levels shapeLevels
// gives. An unrated CVE comes in two wire forms, by the entry's index: no
// VulLevel and an empty CvssScore (even k), or an empty VulLevel and no
// CvssScore (odd k).
func shapedCVEs(rng *rand.Rand, e vulEntry, k int, cveID func(int) string) []Record {
	var out []Record
	for n, level := range shapeLevels[e.shape] {
		if level != "" {
			out = append(out, cveRecord(rng, cveID(n), e, drawScore(rng, levelScores[level])))
			continue
		}
		c := cveRecord(rng, cveID(n), e, 0)
		c["CvssVector"] = ""
		if k%2 == 0 {
			delete(c, "VulLevel")
			c["CvssScore"] = ""
		} else {
			c["VulLevel"] = ""
			delete(c, "CvssScore")
		}
		out = append(out, c)
	}
	return out
}

var scoreRanges = map[string][2]float64{"asap": {7.5, 2.5}, "later": {4.0, 5.0}, "nntf": {0.5, 6.4}}

// drawScore draws a CVSS score, one decimal, in a range given as lowest
// score and width.
func drawScore(rng *rand.Rand, scores [2]float64) float64 {
	return min(float64(int((scores[0]+rng.Float64()*scores[1])*10))/10, 10)
}

// cveRecord is one DescribeVulDetails Cves element with this score. Plain
// entries draw it from their fix priority, loosely, as the service's do.
func cveRecord(rng *rand.Rand, id string, e vulEntry, score float64) Record {
	r := Record{
		"CveId":       id,
		"OtherId":     "",
		"CvssScore":   strconv.FormatFloat(score, 'f', 1, 64),
		"CvssVector":  "AV:N/AC:L/Au:N/C:P/I:P/A:P",
		"VulLevel":    cvssLevel(score),
		"Title":       id + ": " + e.alias[strings.IndexByte(e.alias, ' ')+1:],
		"Summary":     fmt.Sprintf("A flaw in %s before %s allows attackers to cause harm.", e.pkg, e.fixed),
		"Solution":    fmt.Sprintf("<p>Upgrade %s to %s or later.</p>", e.pkg, e.fixed),
		"Classify":    "remote_code_execution",
		"CveLink":     "https://avd.aliyun.com/detail?id=" + id,
		"Reference":   "https://nvd.nist.gov/vuln/detail/" + id,
		"ReleaseTime": genEpochMillis - int64(rng.IntN(1500))*dayMillis,
	}
	return r
}

// cvssLevel is the VulLevel the service gives a CVSS score.
func cvssLevel(score float64) string {
	switch {
	case score >= 9:
		return "serious"
	case score >= 7:
		return "high"
	case score >= 4:
		return "medium"
	}
	return "low"
}

// lookup finds a catalogue entry by name.
func (c *vulCatalogue) lookup(name string) (*vulEntry, bool) {
	for o := range c {
		prefix := vulOSes[o].os + ":" + vulOSes[o].release + ":"
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		for k := range c[o] {
			if c[o][k].name == name {
				return &c[o][k], true
			}
		}
	}
	return nil, false
}

// vulRow locates one row of an image: the j-th of its rows, naming entry.
type vulRow struct {
	image  int
	j      int
	status int
	entry  *vulEntry
}

// imageRows lists the rows of an image, without building them.
func (c *vulCatalogue) imageRows(index int, img Image) []vulRow {
	if !isScanned(img) {
		return nil
	}
	unfixed := int(fieldNumber(img["VulCount"]))
	seed := stringSeed(fieldString(img["Uuid"]))
	entries := c[stringSeed(fieldString(img["RepoName"]))%uint64(len(c))]
	fixing, fixed := 0, int(splitmix64(seed^0xf7)%3)
	if unfixed > 0 && splitmix64(seed^0xf1)%3 == 0 {
		fixing = 1
	}
	start, step := int(seed%uint64(len(entries))), coprimeStep(len(entries), seed)
	rows := make([]vulRow, 0, max(unfixed, 0)+fixing+fixed)
	for j := range max(unfixed, 0) + fixing + fixed {
		status := VulStatusUnfixed
		switch {
		case j >= unfixed+fixing:
			status = VulStatusFixed
		case j >= unfixed:
			status = VulStatusFixing
		}
		rows = append(rows, vulRow{image: index, j: j, status: status, entry: &entries[(start+j*step)%len(entries)]})
	}
	return rows
}

// coprimeStep picks a step that visits every one of n entries before
// repeating one.
func coprimeStep(n int, seed uint64) int {
	steps := []int{7, 11, 13, 17, 19, 23, 29, 31}
	for k := range steps {
		s := steps[(int(seed>>8)+k)%len(steps)]
		if gcd(s, n) == 1 {
			return s
		}
	}
	return 1
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// record renders a row in wire form, quirks included.
func (r vulRow) record(img Image) Record {
	e := r.entry
	uuid := fieldString(img["Uuid"])
	seed := stringSeed(uuid + "\x00" + e.name)
	scanned := int64(fieldNumber(img["LastScanTime"]))
	layer := "sha256:" + demoHex(seed^0x1a, 64)
	canFix := "no"
	cmd := ""
	if e.canFix {
		canFix, cmd = "yes", fmt.Sprintf(e.os.install, e.pkg)
	}
	pkg := Record{
		"Name":        e.pkg,
		"Version":     e.version,
		"FullVersion": e.version,
		"Path":        "/usr/lib/" + e.pkg,
		"Layer":       layer,
		"MatchDetail": fmt.Sprintf("%s version less than %s", e.pkg, e.fixed),
		"MatchList":   []string{fmt.Sprintf("%s version less than %s", e.pkg, e.fixed)},
		"UpdateCmd":   cmd,
	}
	packages := []Record{pkg}
	if e.noPackages {
		packages = []Record{}
	}
	extend := Record{"Os": e.os.os, "OsRelease": e.os.release, "RpmEntityList": packages}
	rec := Record{
		"Name":              e.name,
		"AliasName":         e.alias,
		"Related":           e.related,
		"Type":              "cve",
		"Necessity":         e.necessity,
		"Status":            r.status,
		"CanFix":            canFix,
		"CanUpdate":         e.canUpdate,
		"PrimaryId":         int64(splitmix64(seed) >> 20),
		"Uuid":              uuid,
		"Image":             imageName(img),
		"ImageDigest":       fieldString(img["Digest"]),
		"RepoName":          fieldString(img["RepoName"]),
		"RepoNamespace":     fieldString(img["RepoNamespace"]),
		"Tag":               "oval",
		"RuleTag":           "",
		"Layers":            []string{"sha256:" + demoHex(seed^0x0b, 64), layer},
		"FirstTs":           scanned - int64(1+r.j%30)*dayMillis,
		"LastTs":            scanned,
		"ModifyTs":          scanned,
		"ScanTime":          scanned,
		"MaliciousSource":   "image",
		"ExtendContentJson": extend,
	}
	applyRowQuirks(rec, r.j, extend)
	return rec
}

// applyRowQuirks gives a fixed share of rows the wire's odd forms.
func applyRowQuirks(rec Record, j int, extend Record) {
	if j%4 == 1 {
		b, err := marshalJSON(extend)
		if err == nil {
			rec["ExtendContentJson"] = string(b)
		}
	}
	if j%3 == 1 {
		rec["Status"] = fieldString(rec["Status"])
	}
	if j%5 == 2 {
		rec["PrimaryId"] = fieldString(rec["PrimaryId"])
	}
	if j%7 == 3 {
		rec["FirstTs"] = fieldString(rec["FirstTs"])
	}
	if j%11 == 5 {
		rec["ModifyTs"] = 0
	}
	if j%13 == 6 {
		delete(rec, "ScanTime")
	}
}

// imageName is the full image name of an image: its first pull address, or
// namespace/repository:tag.
func imageName(img Image) string {
	var endpoints []string
	if err := json.Unmarshal([]byte(fieldString(img["Endpoints"])), &endpoints); err == nil && len(endpoints) > 0 {
		return endpoints[0]
	}
	return fmt.Sprintf("%s/%s:%s", fieldString(img["RepoNamespace"]), fieldString(img["RepoName"]), fieldString(img["Tag"]))
}

// VulnerabilityRows returns the DescribeImageVulList rows of the image with
// this Uuid in the current dataset, in the order they are served, as the
// wire carries them; none for an unknown or unscanned image.
func (s *Server) VulnerabilityRows(uuid string) []Record {
	data, _ := s.snapshotImages()
	for i, img := range data.images {
		if fieldString(img["Uuid"]) != uuid {
			continue
		}
		var out []Record
		for _, r := range s.catalogue.imageRows(i, img) {
			out = append(out, r.record(img))
		}
		return out
	}
	return nil
}

// VulnerabilityDetails returns the Cves DescribeVulDetails answers for a
// vulnerability name (copies: changing them changes nothing served).
func (s *Server) VulnerabilityDetails(name string) []Record {
	e, ok := s.catalogue.lookup(name)
	if !ok {
		return []Record{}
	}
	out := make([]Record, len(e.cves))
	for k, c := range e.cves {
		out[k] = Record{}
		for f, v := range c {
			out[k][f] = v
		}
	}
	return out
}

// vulListQuery is a validated DescribeImageVulList request.
type vulListQuery struct {
	uuids                                                         map[string]bool
	digest, repoName, repoNamespace, repoID, instanceID, regionID string
	name, necessity                                               string
	status                                                        int
	page, pageSize                                                int
}

func parseVulListQuery(q url.Values, maxPageSize int) (vulListQuery, *apiError) {
	var vq vulListQuery
	if e := checkVulType(q); e != nil {
		return vq, e
	}
	if e := checkLang(q, false); e != nil {
		return vq, e
	}
	var e *apiError
	if vq.pageSize, e = positiveInt(q, "PageSize", defaultVulPageSize); e != nil {
		return vq, e
	}
	vq.pageSize = min(vq.pageSize, maxPageSize)
	if vq.page, e = positiveInt(q, "CurrentPage", 1); e != nil {
		return vq, e
	}
	if v := q.Get("Uuids"); v != "" {
		vq.uuids = map[string]bool{}
		for u := range strings.SplitSeq(v, ",") {
			vq.uuids[strings.TrimSpace(u)] = true
		}
	}
	vq.digest, vq.repoName, vq.repoNamespace = q.Get("Digest"), q.Get("RepoName"), q.Get("RepoNamespace")
	vq.repoID, vq.instanceID, vq.regionID = q.Get("RepoId"), q.Get("RepoInstanceId"), q.Get("RepoRegionId")
	vq.name = q.Get("Name")
	switch n := q.Get("Necessity"); n {
	case "", "asap", "later", "nntf":
		vq.necessity = n
	default:
		return vq, invalidParameter("The specified parameter Necessity %q is invalid; use one of asap, later, nntf.", n)
	}
	switch s := q.Get("StatusList"); s {
	case "":
	case "1", "4", "7":
		vq.status, _ = strconv.Atoi(s)
	default:
		return vq, invalidParameter("The specified parameter StatusList %q is invalid; use one of 1, 4, 7.", s)
	}
	return vq, nil
}

func checkVulType(q url.Values) *apiError {
	switch t := q.Get("Type"); t {
	case "":
		return missingParameter("Type")
	case "cve":
		return nil
	default:
		return invalidParameter("The specified parameter Type %q is not served by this fake; use cve.", t)
	}
}

func checkLang(q url.Values, required bool) *apiError {
	switch l := q.Get("Lang"); l {
	case "":
		if required {
			return missingParameter("Lang")
		}
		return nil
	case "zh", "en":
		return nil
	default:
		return invalidParameter("The specified parameter Lang %q is invalid; use zh or en.", l)
	}
}

func missingParameter(name string) *apiError {
	return newAPIError(http.StatusBadRequest, "MissingParameter",
		"The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

// matchesImage applies the image-level filters.
func (vq *vulListQuery) matchesImage(img Image) bool {
	if vq.uuids != nil && !vq.uuids[fieldString(img["Uuid"])] {
		return false
	}
	for _, f := range [...]struct{ want, field string }{
		{vq.digest, "Digest"}, {vq.repoName, "RepoName"}, {vq.repoNamespace, "RepoNamespace"},
		{vq.repoID, "RepoId"}, {vq.instanceID, "InstanceId"}, {vq.regionID, "RegionId"},
	} {
		if f.want != "" && fieldString(img[f.field]) != f.want {
			return false
		}
	}
	return true
}

// matchesRow applies the row-level filters.
func (vq *vulListQuery) matchesRow(r vulRow) bool {
	return (vq.name == "" || r.entry.name == vq.name) &&
		(vq.necessity == "" || r.entry.necessity == vq.necessity) &&
		(vq.status == 0 || r.status == vq.status)
}

// vulListHead is a DescribeImageVulList answer without its rows.
type vulListHead struct {
	RequestID   string `json:"RequestId"`
	CurrentPage int
	PageSize    int
	TotalCount  int
}

// encodedVulRows returns the rows of image i of d, as imageRows lists them,
// each encoded as record renders it. They are encoded once per dataset:
// encoding maps (key sorting) was most of the fake's time per page, which
// benchmarks count against the client on a shared machine. Two requests
// may encode the same image at once; both store identical bytes.
func (s *Server) encodedVulRows(d *dataset, i int) ([]json.RawMessage, error) {
	if p := d.vulRows[i].Load(); p != nil {
		return *p, nil
	}
	img := d.images[i]
	rows := s.catalogue.imageRows(i, img)
	out := make([]json.RawMessage, len(rows))
	for j, r := range rows {
		b, err := marshalJSON(r.record(img))
		if err != nil {
			return nil, err
		}
		out[j] = b
	}
	d.vulRows[i].Store(&out)
	return out, nil
}

// describeImageVulList serves one page of the rows matching the query, in
// dataset order and row order.
func (s *Server) describeImageVulList(q url.Values, requestID string) ([]byte, *apiError) {
	vq, e := parseVulListQuery(q, s.maxPageSize)
	if e != nil {
		return nil, e
	}
	data, _ := s.snapshotImages()
	first := -1
	if vq.page-1 <= (1<<31)/vq.pageSize {
		first = (vq.page - 1) * vq.pageSize
	}
	page := []json.RawMessage{}
	total := 0
	for i, img := range data.images {
		if !vq.matchesImage(img) {
			continue
		}
		var encoded []json.RawMessage
		for j, r := range s.catalogue.imageRows(i, img) {
			if !vq.matchesRow(r) {
				continue
			}
			if first >= 0 && total >= first && len(page) < vq.pageSize {
				if encoded == nil {
					var err error
					if encoded, err = s.encodedVulRows(data, i); err != nil {
						return nil, newAPIError(http.StatusInternalServerError, "ServerError", "fakesas: %v", err)
					}
				}
				page = append(page, encoded[j])
			}
			total++
		}
	}
	b, err := pageAround(vulListHead{RequestID: requestID, CurrentPage: vq.page, PageSize: vq.pageSize, TotalCount: total}, "VulRecords", page)
	if err != nil {
		return nil, newAPIError(http.StatusInternalServerError, "ServerError", "fakesas: %v", err)
	}
	return b, nil
}

type vulDetailsResponse struct {
	RequestID string   `json:"RequestId"`
	Cves      []Record `json:"Cves"`
}

// describeVulDetails answers the CVEs of one vulnerability name.
func (s *Server) describeVulDetails(q url.Values, requestID string) ([]byte, *apiError) {
	if q.Get("Name") == "" {
		return nil, missingParameter("Name")
	}
	if e := checkVulType(q); e != nil {
		return nil, e
	}
	if e := checkLang(q, true); e != nil {
		return nil, e
	}
	cves := []Record{}
	if e, ok := s.catalogue.lookup(q.Get("Name")); ok {
		cves = e.cves
	}
	return marshalResponse(vulDetailsResponse{RequestID: requestID, Cves: cves})
}
