package fakesas

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path"
	"slices"
	"strings"
)

// The sensitive-file ("secrets") operations, DescribeImageSensitiveFileList
// and DescribeImageSensitiveFileByKey, are served from the same images as
// the others. Decisions where the service is unspecified, all deliberate:
//
//   - An image's secrets derive from its record (ImageSensitiveFiles):
//     none unless it is scanned (isScanned); otherwise the ones
//     Options.SensitiveFiles gives for its content, else drawn from its
//     content (contentKey: the Digest, else the Uuid), so two records of
//     one digest hold the same secrets. About three scanned images in
//     four have none; about 23 in 100 have one to three types of one to
//     four files each; about 3 in 100 have a type with 101 to 250 files
//     (bulkSensitiveFiles), which crosses page boundaries at PageSize 100
//     and 20, plus up to one ordinary type. The hand-written demo images
//     hold the fixed contents of demoFindings.
//   - A type (SensitiveFileKey) has one class and one level (high, medium,
//     low) whatever the image; about 3 types in 10 are handled (Status 1)
//     in a given image. Types are listed by level, then in the order of
//     sensitiveCatalog; files in the order they were drawn.
//   - Count in the list is the number of files ByKey serves for the type
//     and image. UnprocessedNum is the number of images where the type is
//     unhandled: 1 or 0 for one image. Without ImageUuid the list adds up
//     every image: Count sums the files, UnprocessedNum counts the images,
//     Status is 0 when any image has the type unhandled, FirstScanTime is
//     the earliest and LastScanTime the latest. An ImageUuid the dataset
//     does not hold has no secrets.
//   - ScanRange is a JSON array (ScanRange=["image"]); ScanRange.N is
//     InvalidParameter, as are values other than image and container. All
//     findings are in images, so ["container"] finds nothing.
//     SensitiveKeyList is repeated keys SensitiveKeyList.N; a bare
//     SensitiveKeyList is InvalidParameter.
//   - RiskLevel takes one of high, medium, low: a comma-separated list is
//     InvalidParameter, since one value is documented.
//   - Criteria matches part of the key or of the display name (in the
//     request's language), case insensitively; CriteriaType
//     SensitiveFileKey or SensitiveFileName limits it to one of them.
//   - ByKey requires ImageUuid and SensitiveFileKey (MissingParameter),
//     though the service documents both optional: its rows carry no image
//     identity, so an unscoped answer could not be attributed.
//   - Names, descriptions and advice are Chinese unless Lang is "en", as
//     with baselines; a Lang other than zh and en is InvalidParameter.
//   - Promt shows at most 8 characters of the secret, then 12 asterisks.
//   - LastRowKey is base64 of the last row's key (the type key, or the
//     type key and the file path), "" for an empty page; nothing reads it
//     back, as in the SDK.
//   - Quirks of the wire: "Code": 200 as a number on even pages; on a
//     fixed share of rows, by their place in the answer, Status and Count
//     (and separately UnprocessedNum) as numeric strings and Advice absent;
//     on a fixed share of files FirstScanTime or LastScanTime as numeric
//     strings, and Description and Advice absent.

const (
	actionDescribeImageSensitiveFileList  = "DescribeImageSensitiveFileList"
	actionDescribeImageSensitiveFileByKey = "DescribeImageSensitiveFileByKey"
)

// Status of a secret type in DescribeImageSensitiveFileList.
const (
	SensitiveStatusUnhandled = 0
	SensitiveStatusHandled   = 1
)

// Secret type keys the demo images hold (see DemoImages).
const (
	SensitiveKeyAWSAccessKey       = "aws_access_key"
	SensitiveKeyPostgreSQLPassword = "postgresql_passwd"
	SensitiveKeyGitConfig          = "git_cfg"
	SensitiveKeySSHPrivateKey      = "ssh_private_key"
)

// Shape of drawn secrets.
const (
	bulkSensitiveFilesMin = 101
	bulkSensitiveFilesMax = 250
	// sensitiveStream selects the PRNG stream secrets are drawn from.
	sensitiveStream = 0x5ec2e7
	// promptMask is what hides the rest of a secret in Promt.
	promptMask = "************"
)

// SensitiveFileType is one secret type found in an image, with its files:
// a row of DescribeImageSensitiveFileList for that image, whose Count is
// len(Files).
type SensitiveFileType struct {
	Key         string
	Name        Text
	ClassKey    string
	ClassName   Text
	Level       string // high, medium or low
	Status      int    // SensitiveStatusUnhandled or SensitiveStatusHandled
	Description Text
	Advice      Text
	// FirstScanTime is the earliest of its files', LastScanTime the
	// image's last scan; both Unix milliseconds.
	FirstScanTime int64
	LastScanTime  int64
	Files         []SensitiveFile
}

// SensitiveFile is one file of a secret type, as
// DescribeImageSensitiveFileByKey serves it.
type SensitiveFile struct {
	FilePath    string
	LayerDigest string // 64 hex
	Md5         string // 32 hex
	// Promt (sic) is the masked secret: a short prefix, then asterisks.
	Promt         string
	FirstScanTime int64
	LastScanTime  int64
}

// sensitiveTemplate is one secret type the fake knows.
type sensitiveTemplate struct {
	key, classKey string
	name, class   Text
	level         string
	paths         []string // where its files are found, the first ones first
	prefix        string   // how the secret starts, shown in Promt
}

var (
	classAccessKey  = Text{En: "AccessKey", Zh: "AccessKey"}
	classPrivateKey = Text{En: "Private key", Zh: "私钥"}
	classToken      = Text{En: "Token", Zh: "令牌"}
	classPassword   = Text{En: "Password", Zh: "密码"}
	classConfig     = Text{En: "Configuration file", Zh: "配置文件"}
)

// sensitiveAdvice is the remediation of each class.
var sensitiveAdvice = map[string]Text{
	"access_key":  {En: "Disable the AccessKey, remove it from the image and rebuild the image.", Zh: "禁用该 AccessKey，从镜像中删除后重新构建镜像。"},
	"private_key": {En: "Remove the key from the image, replace it with a new one and rebuild the image.", Zh: "从镜像中删除该私钥，更换新密钥后重新构建镜像。"},
	"token":       {En: "Revoke the token, remove it from the image and rebuild the image.", Zh: "吊销该令牌，从镜像中删除后重新构建镜像。"},
	"password":    {En: "Change the password, keep it in a secret store rather than in the image, and rebuild the image.", Zh: "修改该密码，改为保存在凭据管理服务中，并重新构建镜像。"},
	"config":      {En: "Remove the credentials from the file and rebuild the image.", Zh: "从该文件中删除凭证后重新构建镜像。"},
}

// sensitiveCatalog is every secret type the fake reports, in listing
// order within a level. Keys are from the service's list.
func sensitiveCatalog() []sensitiveTemplate {
	return []sensitiveTemplate{
		{"aws_access_key", "access_key", Text{"AWS Access Key", "AWS 访问密钥"}, classAccessKey, "high", []string{"/app/config/.env", "/root/.aws/credentials", "/home/app/.aws/credentials"}, "AKIA"},
		{"tencentcloud_ak", "access_key", Text{"Tencent Cloud AccessKey", "腾讯云 AccessKey"}, classAccessKey, "high", []string{"/app/conf/cos.yaml"}, "AKID"},
		{"huaweicloud_ak", "access_key", Text{"Huawei Cloud AccessKey", "华为云 AccessKey"}, classAccessKey, "high", []string{"/opt/app/obs.properties"}, "HPUA"},
		{"googlecloud_api_key", "access_key", Text{"Google Cloud API key", "Google Cloud API 密钥"}, classAccessKey, "high", []string{"/srv/web/config.js"}, "AIza"},
		{"rsa_private_key", "private_key", Text{"RSA private key", "RSA 私钥"}, classPrivateKey, "high", []string{"/etc/ssl/private/server.key", "/app/certs/tls.key"}, "MIIE"},
		{"ec_private_key", "private_key", Text{"EC private key", "EC 私钥"}, classPrivateKey, "high", []string{"/app/certs/ec.key"}, "MHcC"},
		{"k8s_client_key", "private_key", Text{"Kubernetes client key", "Kubernetes 客户端密钥"}, classPrivateKey, "high", []string{"/root/.kube/config"}, "LS0t"},
		{"github_personal_token", "token", Text{"GitHub personal access token", "GitHub 个人访问令牌"}, classToken, "high", []string{"/app/.github-token", "/root/.config/gh/hosts.yml"}, "ghp_"},
		{"gitLab_personal_token", "token", Text{"GitLab personal access token", "GitLab 个人访问令牌"}, classToken, "high", []string{"/builds/.gitlab-token"}, "glpat-"},
		{"hashicorp_vault_token", "token", Text{"HashiCorp Vault token", "HashiCorp Vault 令牌"}, classToken, "high", []string{"/etc/vault/.vault-token"}, "hvs."},
		{"sshpasswd", "password", Text{"SSH password", "SSH 密码"}, classPassword, "high", []string{"/etc/ssh/sshpass.txt"}, ""},
		{"ssh_private_key", "private_key", Text{"SSH private key", "SSH 私钥"}, classPrivateKey, "medium", []string{"/home/app/.ssh/id_rsa", "/root/.ssh/id_ed25519"}, "b3Bl"},
		{"pgp_private_key", "private_key", Text{"PGP private key", "PGP 私钥"}, classPrivateKey, "medium", []string{"/root/.gnupg/private.asc"}, "lQdG"},
		{"npm_token", "token", Text{"npm token", "npm 令牌"}, classToken, "medium", []string{"/root/.npmrc", "/app/.npmrc"}, "npm_"},
		{"pypi_token", "token", Text{"PyPI token", "PyPI 令牌"}, classToken, "medium", []string{"/root/.pypirc"}, "pypi-"},
		{"slack_token", "token", Text{"Slack token", "Slack 令牌"}, classToken, "medium", []string{"/app/config/notify.yaml"}, "xoxb-"},
		{"postgresql_passwd", "password", Text{"PostgreSQL password", "PostgreSQL 密码"}, classPassword, "medium", []string{"/app/config/database.yml", "/root/.pgpass"}, ""},
		{"common_cred", "password", Text{"Credential in plain text", "明文凭证"}, classPassword, "medium", []string{"/app/config/application.properties"}, ""},
		{"docker_registry_cfg", "config", Text{"Docker registry credentials", "Docker 镜像仓库凭证"}, classConfig, "medium", []string{"/root/.docker/config.json"}, ""},
		{"django_key", "config", Text{"Django secret key", "Django 密钥"}, classConfig, "medium", []string{"/app/settings.py"}, ""},
		{"rails_master_key", "config", Text{"Rails master key", "Rails 主密钥"}, classConfig, "medium", []string{"/app/config/master.key"}, ""},
		{"apache_htpasswd", "password", Text{"Apache htpasswd file", "Apache htpasswd 文件"}, classPassword, "low", []string{"/etc/apache2/.htpasswd"}, "$apr1"},
		{"git_cfg", "config", Text{"Git configuration with credentials", "含凭证的 Git 配置"}, classConfig, "low", []string{"/app/.git/config"}, ""},
		{"netrc_cfg", "config", Text{".netrc credentials", ".netrc 凭证"}, classConfig, "low", []string{"/root/.netrc"}, ""},
		{"ftp_cfg", "config", Text{"FTP client configuration", "FTP 客户端配置"}, classConfig, "low", []string{"/home/app/.config/filezilla/sitemanager.xml"}, ""},
	}
}

// sensitiveLevelRank orders the levels of secrets from the most severe.
var sensitiveLevelRank = map[string]int{"high": 0, "medium": 1, "low": 2}

// sensitiveSpec is one secret type of an image before it is rendered.
type sensitiveSpec struct {
	key    string
	status int
	files  int
}

// ImageSensitiveFiles returns the secret types the fake serves for img,
// derived from the record alone (see the decisions above), unless
// Options.SensitiveFiles gives them (see Server.SensitiveFileTypes).
func ImageSensitiveFiles(img Image) []SensitiveFileType {
	return imageSensitiveFiles(img, sensitiveCatalog(), nil, "")
}

// SensitiveFileSpec is one secret type Options.SensitiveFiles gives an
// image: a key of SensitiveFileKeys, its number of files, and whether it
// is handled.
type SensitiveFileSpec struct {
	Key     string
	Files   int
	Handled bool
}

// SensitiveFileKeys lists the key of every secret type the fake knows.
func SensitiveFileKeys() []string {
	var out []string
	for _, t := range sensitiveCatalog() {
		out = append(out, t.key)
	}
	return out
}

// givenSensitiveSpecs converts Options.SensitiveFiles.
func givenSensitiveSpecs(given map[string][]SensitiveFileSpec) map[string][]sensitiveSpec {
	out := make(map[string][]sensitiveSpec, len(given))
	for content, specs := range given {
		out[content] = []sensitiveSpec{}
		for _, spec := range specs {
			status := SensitiveStatusUnhandled
			if spec.Handled {
				status = SensitiveStatusHandled
			}
			out[content] = append(out[content], sensitiveSpec{key: spec.Key, status: status, files: spec.Files})
		}
	}
	return out
}

// imageSensitiveFiles renders the secret types of img: given ones by its
// content, else the demo's, else drawn.
func imageSensitiveFiles(img Image, catalog []sensitiveTemplate, given map[string][]sensitiveSpec, only string) []SensitiveFileType {
	if !isScanned(img) {
		return nil
	}
	content := contentKey(img)
	specs, isGiven := given[content]
	if !isGiven {
		demo, isDemo := demoFindings()[content]
		specs = demo.secrets
		if !isDemo {
			specs = drawSensitiveSpecs(rand.New(rand.NewPCG(stringSeed(content), sensitiveStream)), catalog)
		}
	}
	lastScan := int64(fieldNumber(img["LastScanTime"]))
	out := make([]SensitiveFileType, 0, len(specs))
	for _, spec := range specs {
		k := slices.IndexFunc(catalog, func(t sensitiveTemplate) bool { return t.key == spec.key })
		if k < 0 || (only != "" && spec.key != only) {
			continue // not a type the fake knows (left out), or not the one asked for
		}
		out = append(out, renderSensitiveType(content, catalog[k], spec, lastScan))
	}
	slices.SortStableFunc(out, func(a, b SensitiveFileType) int {
		return cmp.Compare(sensitiveLevelRank[a.Level], sensitiveLevelRank[b.Level])
	})
	return out
}

// drawSensitiveSpecs draws the secret types of an image, in catalog order.
func drawSensitiveSpecs(rng *rand.Rand, catalog []sensitiveTemplate) []sensitiveSpec {
	u := rng.IntN(100)
	if u < 74 {
		return nil
	}
	types, bulk := 1+rng.IntN(3), false
	if u >= 97 {
		types, bulk = 1+rng.IntN(2), true
	}
	picked := rng.Perm(len(catalog))[:types]
	slices.Sort(picked)
	out := make([]sensitiveSpec, types)
	for n, k := range picked {
		out[n] = sensitiveSpec{key: catalog[k].key, status: SensitiveStatusUnhandled, files: 1 + rng.IntN(4)}
		if rng.IntN(10) < 3 {
			out[n].status = SensitiveStatusHandled
		}
	}
	if bulk {
		out[0].files = bulkSensitiveFilesMin + rng.IntN(bulkSensitiveFilesMax-bulkSensitiveFilesMin+1)
	}
	return out
}

// renderSensitiveType draws the files of one type of an image, from the
// image's content and the key, so a type's files do not depend on the
// image's other types.
func renderSensitiveType(content string, t sensitiveTemplate, spec sensitiveSpec, lastScan int64) SensitiveFileType {
	rng := rand.New(rand.NewPCG(stringSeed(content), stringSeed(t.key)))
	out := SensitiveFileType{
		Key: t.key, Name: t.name, ClassKey: t.classKey, ClassName: t.class, Level: t.level, Status: spec.status,
		Description:  Text{En: t.name.En + " found in a file of the image.", Zh: "镜像文件中发现" + t.name.Zh + "。"},
		Advice:       sensitiveAdvice[t.classKey],
		LastScanTime: lastScan, FirstScanTime: lastScan,
		Files: make([]SensitiveFile, spec.files),
	}
	for f := range out.Files {
		file := SensitiveFile{
			FilePath:      sensitiveFilePath(t, f),
			LayerDigest:   randHex(rng, 64),
			Md5:           randHex(rng, 32),
			Promt:         maskedSecret(rng, t.prefix),
			FirstScanTime: lastScan - rng.Int64N(firstScanSpreadMillis),
			LastScanTime:  lastScan,
		}
		out.FirstScanTime = min(out.FirstScanTime, file.FirstScanTime)
		out.Files[f] = file
	}
	return out
}

// sensitiveFilePath is where file f of a type is: the template's paths
// first, then numbered copies under /srv/fixtures.
func sensitiveFilePath(t sensitiveTemplate, f int) string {
	if f < len(t.paths) {
		return t.paths[f]
	}
	return fmt.Sprintf("/srv/fixtures/%s/%04d/%s", t.key, f, path.Base(t.paths[f%len(t.paths)]))
}

// maskedSecret is how the service shows a secret: its start, cut to at
// most 8 characters, then asterisks.
func maskedSecret(rng *rand.Rand, prefix string) string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	b := []byte(prefix)
	for range 3 {
		b = append(b, chars[rng.IntN(len(chars))])
	}
	return string(b[:min(len(b), 8)]) + promptMask
}

// randHex draws n lower-case hex digits.
func randHex(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[rng.IntN(16)]
	}
	return string(b)
}

// contentKey is what an image's findings are drawn from: its digest (its
// content), or its Uuid when it has none.
func contentKey(img Image) string {
	if d := fieldString(img["Digest"]); d != "" {
		return d
	}
	return fieldString(img["Uuid"])
}

// SensitiveFileTypes returns the secret types DescribeImageSensitiveFileList
// serves for the image with this Uuid in the current dataset, in the order
// served; none for an unknown or unscanned image.
func (s *Server) SensitiveFileTypes(uuid string) []SensitiveFileType {
	return s.sensitiveFileTypes(uuid, "")
}

// sensitiveFileTypes returns the image's types, or only the one keyed
// only: ByKey renders one type, not every file of the image.
func (s *Server) sensitiveFileTypes(uuid, only string) []SensitiveFileType {
	data, _ := s.snapshotImages()
	for _, img := range data.images {
		if fieldString(img["Uuid"]) == uuid {
			return imageSensitiveFiles(img, sensitiveCatalog(), s.givenSecrets, only)
		}
	}
	return nil
}

// SensitiveFiles returns the files DescribeImageSensitiveFileByKey serves
// for the image with this Uuid and the type key, in the order served.
func (s *Server) SensitiveFiles(uuid, key string) []SensitiveFile {
	for _, t := range s.SensitiveFileTypes(uuid) {
		if t.Key == key {
			return t.Files
		}
	}
	return nil
}

// sensitiveCommon is what both sensitive-file operations read alike.
type sensitiveCommon struct {
	page, pageSize, requestedSize int
	lang                          string
	images                        bool // ScanRange lets image findings through
}

func parseSensitiveCommon(q url.Values, maxPageSize int) (sensitiveCommon, *apiError) {
	var c sensitiveCommon
	var e *apiError
	if e = checkLang(q, false); e != nil {
		return c, e
	}
	c.lang = q.Get("Lang")
	scanRange, e := jsonListParam(q, "ScanRange")
	if e != nil {
		return c, e
	}
	if c.images, e = scanRangeIncludesImages(scanRange); e != nil {
		return c, e
	}
	if c.requestedSize, e = positiveInt(q, "PageSize", defaultPageSize); e != nil {
		return c, e
	}
	c.pageSize = min(c.requestedSize, maxPageSize)
	c.page, e = positiveInt(q, "CurrentPage", 1)
	return c, e
}

// sensitiveListQuery is a validated DescribeImageSensitiveFileList request.
type sensitiveListQuery struct {
	sensitiveCommon
	uuid, level, criteria string
	byKey, byName         bool
	keys                  []string
}

func parseSensitiveListQuery(q url.Values, maxPageSize int) (sensitiveListQuery, *apiError) {
	var sq sensitiveListQuery
	var e *apiError
	if sq.sensitiveCommon, e = parseSensitiveCommon(q, maxPageSize); e != nil {
		return sq, e
	}
	if sq.keys, e = repeatedListParam(q, "SensitiveKeyList"); e != nil {
		return sq, e
	}
	switch sq.level = q.Get("RiskLevel"); sq.level {
	case "", "high", "medium", "low":
	default:
		return sq, invalidParameter("The specified parameter RiskLevel %q is invalid; use one of high, medium, low.", sq.level)
	}
	sq.byKey, sq.byName = true, true
	switch ct := q.Get("CriteriaType"); ct {
	case "":
	case "SensitiveFileKey":
		sq.byName = false
	case "SensitiveFileName":
		sq.byKey = false
	default:
		return sq, invalidParameter("The specified parameter CriteriaType %q is invalid; use SensitiveFileKey or SensitiveFileName.", ct)
	}
	sq.uuid, sq.criteria = q.Get("ImageUuid"), strings.ToLower(q.Get("Criteria"))
	return sq, nil
}

// keeps applies the filters of the list to a type.
func (sq *sensitiveListQuery) keeps(t SensitiveFileType) bool {
	if (sq.level != "" && t.Level != sq.level) || (len(sq.keys) > 0 && !slices.Contains(sq.keys, t.Key)) {
		return false
	}
	return sq.criteria == "" ||
		(sq.byKey && strings.Contains(strings.ToLower(t.Key), sq.criteria)) ||
		(sq.byName && strings.Contains(strings.ToLower(t.Name.In(sq.lang)), sq.criteria))
}

// sensitiveListRow is one row of the list: a type in one image or added
// up over several.
type sensitiveListRow struct {
	SensitiveFileType
	count, unprocessed int
}

// add counts one image's type into the row.
func (r *sensitiveListRow) add(t SensitiveFileType) {
	if r.Key == "" {
		r.SensitiveFileType = t
		r.Status = SensitiveStatusHandled
	}
	r.count += len(t.Files)
	r.FirstScanTime, r.LastScanTime = min(r.FirstScanTime, t.FirstScanTime), max(r.LastScanTime, t.LastScanTime)
	if t.Status == SensitiveStatusUnhandled {
		r.unprocessed++
		r.Status = SensitiveStatusUnhandled
	}
}

// sensitiveListRows adds up the types of the images in scope, in the
// listing order.
func (s *Server) sensitiveListRows(sq *sensitiveListQuery) []sensitiveListRow {
	if !sq.images {
		return nil
	}
	data, _ := s.snapshotImages()
	catalog := sensitiveCatalog()
	rows := map[string]*sensitiveListRow{}
	for _, img := range data.images {
		if sq.uuid != "" && fieldString(img["Uuid"]) != sq.uuid {
			continue
		}
		for _, t := range imageSensitiveFiles(img, catalog, s.givenSecrets, "") {
			if !sq.keeps(t) {
				continue
			}
			if rows[t.Key] == nil {
				rows[t.Key] = &sensitiveListRow{}
			}
			rows[t.Key].add(t)
		}
	}
	out := make([]sensitiveListRow, 0, len(rows))
	for _, t := range catalog {
		if r := rows[t.key]; r != nil {
			out = append(out, *r)
		}
	}
	slices.SortStableFunc(out, func(a, b sensitiveListRow) int {
		return cmp.Compare(sensitiveLevelRank[a.Level], sensitiveLevelRank[b.Level])
	})
	return out
}

// record renders a list row in wire form; n is its place in the answer.
func (r sensitiveListRow) record(lang string, n int) Record {
	rec := Record{
		"SensitiveFileKey":  r.Key,
		"SensitiveFileName": r.Name.In(lang),
		"ClassKey":          r.ClassKey,
		"ClassName":         r.ClassName.In(lang),
		"RiskLevel":         r.Level,
		"Status":            r.Status,
		"Count":             r.count,
		"UnprocessedNum":    r.unprocessed,
		"FirstScanTime":     r.FirstScanTime,
		"LastScanTime":      r.LastScanTime,
		"Description":       r.Description.In(lang),
		"Advice":            r.Advice.In(lang),
	}
	if n%3 == 1 {
		rec["Status"], rec["Count"] = fieldString(r.Status), fieldString(r.count)
	}
	if n%4 == 2 {
		rec["UnprocessedNum"] = fieldString(r.unprocessed)
	}
	if n%5 == 3 {
		delete(rec, "Advice")
	}
	return rec
}

// fileRecord renders file n of a type in wire form.
func fileRecord(t SensitiveFileType, f SensitiveFile, lang string, n int) Record {
	rec := Record{
		"FilePath":          f.FilePath,
		"LayerDigest":       f.LayerDigest,
		"Md5":               f.Md5,
		"Promt":             f.Promt,
		"SensitiveFileKey":  t.Key,
		"SensitiveFileName": t.Name.In(lang),
		"RiskLevel":         t.Level,
		"FirstScanTime":     f.FirstScanTime,
		"LastScanTime":      f.LastScanTime,
		"Description":       t.Description.In(lang),
		"Advice":            t.Advice.In(lang),
	}
	if n%3 == 1 {
		rec["FirstScanTime"] = fieldString(f.FirstScanTime)
	}
	if n%11 == 4 {
		rec["LastScanTime"] = fieldString(f.LastScanTime)
	}
	if n%7 == 5 {
		delete(rec, "Description")
		delete(rec, "Advice")
	}
	return rec
}

type sensitivePageInfo struct {
	Count       int
	CurrentPage int
	LastRowKey  string
	PageSize    *int `json:",omitempty"`
	TotalCount  int
}

// sensitiveResponse is the answer of both operations; SensitiveFileList
// holds types or files.
type sensitiveResponse struct {
	RequestID         string `json:"RequestId"`
	Success           bool
	Code              any
	HttpStatusCode    int
	Message           string
	PageInfo          sensitivePageInfo
	SensitiveFileList []Record
}

// sensitivePage wraps one page of rows in the envelope; lastKey is the
// key of the page's last row.
func (s *Server) sensitivePage(requestID string, c sensitiveCommon, total int, rows []Record, lastKey string) ([]byte, *apiError) {
	var code any = "200"
	if c.page%2 == 0 {
		code = 200
	}
	rowKey := ""
	if len(rows) > 0 {
		rowKey = base64.StdEncoding.EncodeToString([]byte(lastKey))
	}
	return marshalResponse(sensitiveResponse{
		RequestID: requestID, Success: true, Code: code, HttpStatusCode: 200, Message: "successful",
		PageInfo: sensitivePageInfo{
			Count: len(rows), CurrentPage: c.page, LastRowKey: rowKey,
			PageSize:   s.pageSizeReport.reportedPageSize(c.pageSize, c.requestedSize),
			TotalCount: total,
		},
		SensitiveFileList: rows,
	})
}

// describeImageSensitiveFileList serves one page of the secret types of
// an image, or of every image.
func (s *Server) describeImageSensitiveFileList(q url.Values, requestID string) ([]byte, *apiError) {
	sq, e := parseSensitiveListQuery(q, s.maxPageSize)
	if e != nil {
		return nil, e
	}
	all := s.sensitiveListRows(&sq)
	start, end := pageWindow(sq.page, sq.pageSize, len(all))
	page := make([]Record, 0, end-start)
	lastKey := ""
	for n := start; n < end; n++ {
		page = append(page, all[n].record(sq.lang, n))
		lastKey = all[n].Key
	}
	return s.sensitivePage(requestID, sq.sensitiveCommon, len(all), page, lastKey)
}

// describeImageSensitiveFileByKey serves one page of the files of one
// type in one image.
func (s *Server) describeImageSensitiveFileByKey(q url.Values, requestID string) ([]byte, *apiError) {
	c, e := parseSensitiveCommon(q, s.maxPageSize)
	if e != nil {
		return nil, e
	}
	uuid, key := q.Get("ImageUuid"), q.Get("SensitiveFileKey")
	if uuid == "" {
		return nil, missingParameter("ImageUuid")
	}
	if key == "" {
		return nil, missingParameter("SensitiveFileKey")
	}
	var t SensitiveFileType
	if c.images {
		for _, candidate := range s.sensitiveFileTypes(uuid, key) {
			if candidate.Key == key {
				t = candidate
			}
		}
	}
	start, end := pageWindow(c.page, c.pageSize, len(t.Files))
	page := make([]Record, 0, end-start)
	lastKey := ""
	for n := start; n < end; n++ {
		page = append(page, fileRecord(t, t.Files[n], c.lang, n))
		lastKey = t.Key + ":" + t.Files[n].FilePath
	}
	return s.sensitivePage(requestID, c, len(t.Files), page, lastKey)
}
