package fakesas

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const (
	actionDescribeImageBaselineCheckResult = "DescribeImageBaselineCheckResult"
	actionDescribeImageBaselineItemList    = "DescribeImageBaselineItemList"
)

// Status codes of baselines and check items, as the service sends them.
const (
	BaselineStatusUnfixed           = 0
	BaselineStatusFixed             = 1
	BaselineItemStatusUnfixed       = 0
	BaselineItemStatusFixed         = 1
	BaselineItemStatusPendingVerify = 2
	BaselineItemStatusFixFailed     = 3
)

// Shape of the derived baselines: an image with many risks spreads them
// over more baselines, and a baseline was first seen up to 90 days before
// the last scan.
const (
	maxRiskItemsPerBaseline   = 12
	maxExtraBaselinesPerImage = 3
	firstScanSpreadMillis     = 90 * dayMillis
)

// baselineLevels are the levels of baselines, as RiskLevel names them.
var baselineLevels = map[string]bool{"high": true, "medium": true, "low": true}

// Text is a display text in the two languages the service speaks; the
// service answers in Chinese unless asked for English.
type Text struct {
	En, Zh string
}

// In returns the text in lang ("en" or "zh", default zh).
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.En
	}
	return t.Zh
}

// Baseline is one baseline result of an image, with its check items.
type Baseline struct {
	Key  string
	Name Text
	// ClassKey is what DescribeImageBaselineCheckResult sends as
	// BaselineClassAlias, and the item list as BaselineClassKey.
	ClassKey  string
	ClassName Text
	// Level is high, medium or low: the highest level of its risk items.
	Level string
	// ItemCount is len(Items); the first HighRiskItems+MediumRiskItems+
	// LowRiskItems items are the risk items, the others passed the check.
	ItemCount       int
	HighRiskItems   int
	MediumRiskItems int
	LowRiskItems    int
	Status          int
	// FirstScanTime and LastScanTime are Unix milliseconds.
	FirstScanTime int64
	LastScanTime  int64
	Items         []BaselineItem
}

// RiskItems is the sum of the three risk counts.
func (b Baseline) RiskItems() int { return b.HighRiskItems + b.MediumRiskItems + b.LowRiskItems }

// BaselineItem is one check item of a baseline.
type BaselineItem struct {
	Key         string
	Name        Text
	Status      int
	Whitelisted bool
}

// baselineTemplate is one baseline the fake knows, with the names of its
// checks.
type baselineTemplate struct {
	key, classKey string
	name, class   Text
	level         string
	checks        []Text
}

var (
	classAKLeak       = Text{En: "AccessKey leak", Zh: "AccessKey 泄露"}
	classWeakPassword = Text{En: "Weak password", Zh: "弱口令"}
	classDockerfile   = Text{En: "Dockerfile risk", Zh: "Dockerfile 风险"}
	classSystemConfig = Text{En: "System configuration", Zh: "系统配置"}
)

// baselineCatalog is every baseline the fake reports, in the order the
// service lists them for an image: by level, then as here.
func baselineCatalog() []baselineTemplate {
	return []baselineTemplate{
		{"hc_image_ak_leak_file", "ak_leak", Text{"AccessKey in plain text in image files", "镜像文件中的 AccessKey 明文"}, classAKLeak, "high",
			[]Text{{"AccessKey in an application configuration file", "应用配置文件中的 AccessKey"}, {"AccessKey in a .env file", ".env 文件中的 AccessKey"}, {"AccessKey in shell history", "Shell 历史中的 AccessKey"}}},
		{"hc_image_ak_leak_env", "ak_leak", Text{"AccessKey in image environment variables", "镜像环境变量中的 AccessKey"}, classAKLeak, "high",
			[]Text{{"AccessKey in an ENV instruction", "ENV 指令中的 AccessKey"}, {"STS token in an ENV instruction", "ENV 指令中的 STS Token"}}},
		{"hc_image_weak_pwd_ssh", "weak_password", Text{"SSH weak password", "SSH 弱口令"}, classWeakPassword, "high",
			[]Text{{"Weak password of root", "root 用户弱口令"}, {"Empty password allowed", "允许空口令"}, {"Weak password of a service account", "服务账号弱口令"}}},
		{"hc_image_weak_pwd_mysql", "weak_password", Text{"MySQL weak password", "MySQL 弱口令"}, classWeakPassword, "high",
			[]Text{{"Weak password of the MySQL root account", "MySQL root 账号弱口令"}, {"Anonymous MySQL account", "MySQL 匿名账号"}}},
		{"hc_image_dockerfile_secrets", "dockerfile", Text{"Secrets in Dockerfile build arguments", "Dockerfile 构建参数中的密钥"}, classDockerfile, "high",
			[]Text{{"Password in an ARG instruction", "ARG 指令中的密码"}, {"Private key copied into the image", "私钥被复制进镜像"}}},
		{"hc_image_weak_pwd_redis", "weak_password", Text{"Redis weak password", "Redis 弱口令"}, classWeakPassword, "medium",
			[]Text{{"Redis without a password", "Redis 未设置密码"}, {"Weak Redis password", "Redis 弱密码"}}},
		{"hc_image_dockerfile_root", "dockerfile", Text{"Container runs as root", "容器以 root 用户运行"}, classDockerfile, "medium",
			[]Text{{"No USER instruction", "未设置 USER 指令"}, {"USER root", "USER 为 root"}}},
		{"hc_image_cis_centos7", "system_config", Text{"CIS CentOS Linux 7 benchmark", "CIS CentOS Linux 7 基线"}, classSystemConfig, "medium",
			[]Text{{"Password expiration is 90 days or less", "密码过期时间不超过 90 天"}, {"SSH root login is disabled", "禁止 SSH root 登录"}, {"Audit logs are not deleted automatically", "审计日志不会被自动删除"}}},
		{"hc_image_dockerfile_healthcheck", "dockerfile", Text{"No HEALTHCHECK instruction", "未配置 HEALTHCHECK 指令"}, classDockerfile, "low",
			[]Text{{"HEALTHCHECK missing", "缺少 HEALTHCHECK"}}},
		{"hc_image_cis_ubuntu", "system_config", Text{"CIS Ubuntu Linux benchmark", "CIS Ubuntu Linux 基线"}, classSystemConfig, "low",
			[]Text{{"Core dumps are restricted", "限制核心转储"}, {"Permissions on /etc/passwd are configured", "已配置 /etc/passwd 权限"}}},
	}
}

// ImageBaselines returns the baseline results the fake serves for img,
// derived from the record alone, so the same image always has the same
// baselines:
//
//   - an image that is not scanned (see isScanned), or whose HcCount is not
//     positive, has none;
//   - otherwise the risk items of its baselines (high + medium + low, fixed
//     baselines included) add up to HcCount;
//   - a baseline's level is the highest level of its risk items; about one
//     in four is fixed, and then every item is fixed;
//   - each baseline lists ItemCount items: its risk items, then zero to two
//     passed (fixed) items. The risk items of an unfixed baseline are
//     unfixed (half of them), pending verification or fix failed; about one
//     risk item in five is whitelisted. Whitelisted items still
//     count, in the risk counts and in the status.
func ImageBaselines(img Image) []Baseline {
	hc := int(fieldNumber(img["HcCount"]))
	if !isScanned(img) || hc <= 0 {
		return nil
	}
	uuid := fieldString(img["Uuid"])
	rng := rand.New(rand.NewPCG(stringSeed(uuid), uint64(hc)))
	catalog := baselineCatalog()
	least := min(len(catalog), (hc+maxRiskItemsPerBaseline-1)/maxRiskItemsPerBaseline)
	most := min(len(catalog), hc, least+maxExtraBaselinesPerImage)
	picked := rng.Perm(len(catalog))[:least+rng.IntN(most-least+1)]
	slices.Sort(picked) // the catalog's order
	lastScan := int64(fieldNumber(img["LastScanTime"]))
	out := make([]Baseline, len(picked))
	for k, risks := range splitCount(rng, hc, len(picked)) {
		out[k] = deriveBaseline(rng, catalog[picked[k]], risks, lastScan)
	}
	return out
}

// splitCount splits n into parts positive numbers.
func splitCount(rng *rand.Rand, n, parts int) []int {
	out := make([]int, parts)
	for k := range out {
		out[k] = 1
	}
	for range n - parts {
		out[rng.IntN(parts)]++
	}
	return out
}

// deriveBaseline draws one baseline with risks risk items.
func deriveBaseline(rng *rand.Rand, t baselineTemplate, risks int, lastScan int64) Baseline {
	b := Baseline{
		Key: t.key, Name: t.name, ClassKey: t.classKey, ClassName: t.class, Level: t.level,
		Status:        BaselineStatusUnfixed,
		FirstScanTime: lastScan - rng.Int64N(firstScanSpreadMillis),
		LastScanTime:  lastScan,
	}
	switch t.level {
	case "high":
		b.HighRiskItems = 1 + rng.IntN(risks)
		b.MediumRiskItems = rng.IntN(risks - b.HighRiskItems + 1)
		b.LowRiskItems = risks - b.HighRiskItems - b.MediumRiskItems
	case "medium":
		b.MediumRiskItems = 1 + rng.IntN(risks)
		b.LowRiskItems = risks - b.MediumRiskItems
	default:
		b.LowRiskItems = risks
	}
	if rng.IntN(4) == 0 {
		b.Status = BaselineStatusFixed
	}
	b.ItemCount = risks + rng.IntN(3)
	b.Items = make([]BaselineItem, b.ItemCount)
	for k := range b.Items {
		item := BaselineItem{Key: fmt.Sprintf("%s.check_%02d", t.key, k+1), Name: checkName(t.checks, k), Status: BaselineItemStatusFixed}
		if k < risks {
			item.Whitelisted = rng.IntN(5) == 0
			if b.Status == BaselineStatusUnfixed {
				item.Status = riskItemStatus(rng)
			}
		}
		b.Items[k] = item
	}
	return b
}

// riskItemStatus is the status of a risk item of an unfixed baseline.
func riskItemStatus(rng *rand.Rand) int {
	return []int{BaselineItemStatusUnfixed, BaselineItemStatusUnfixed, BaselineItemStatusPendingVerify, BaselineItemStatusFixFailed}[rng.IntN(4)]
}

// checkName names item k, numbering repeats of the template's checks.
func checkName(checks []Text, k int) Text {
	name := checks[k%len(checks)]
	if round := k / len(checks); round > 0 {
		suffix := " (" + strconv.Itoa(round+1) + ")"
		name = Text{En: name.En + suffix, Zh: name.Zh + suffix}
	}
	return name
}

// baselineResultWire is one element of BaselineResult.
type baselineResultWire struct {
	BaselineNameKey     string
	BaselineNameAlias   string
	BaselineClassAlias  string
	BaselineNameLevel   string
	BaselineItemCount   int
	HighRiskItemCount   int
	MiddleRiskItemCount int
	LowRiskItemCount    int
	Status              int
	FirstScanTime       int64
	LastScanTime        int64
}

type baselineCheckResultResponse struct {
	RequestID      string `json:"RequestId"`
	PageInfo       pageInfo
	BaselineResult []baselineResultWire
}

// baselineItemWire is one element of BaselineItemInfos.
type baselineItemWire struct {
	BaselineItemKey    string
	BaselineItemAlias  string
	BaselineNameKey    string
	BaselineNameAlias  string
	BaselineClassKey   string
	BaselineClassAlias string
	Status             int
	WhiteList          int
}

type baselineItemListResponse struct {
	RequestID         string `json:"RequestId"`
	PageInfo          pageInfo
	BaselineItemInfos []baselineItemWire
}

// baselinePaging is the paging and language of a baseline request.
type baselinePaging struct {
	page, pageSize int
	lang           string
}

func parseBaselinePaging(q url.Values, maxPageSize int) (baselinePaging, *apiError) {
	var p baselinePaging
	var e *apiError
	if p.pageSize, e = positiveInt(q, "PageSize", defaultPageSize); e != nil {
		return p, e
	}
	p.pageSize = min(p.pageSize, maxPageSize)
	if p.page, e = positiveInt(q, "CurrentPage", 1); e != nil {
		return p, e
	}
	switch p.lang = q.Get("Lang"); p.lang {
	case "", "zh", "en":
	default:
		return p, invalidParameter("The specified parameter Lang %q is invalid; use zh or en.", p.lang)
	}
	return p, nil
}

// window returns the start and end of the page within n records.
func (p baselinePaging) window(n int) (int, int) {
	return pageWindow(p.page, p.pageSize, n)
}

// imageBaselinesFor returns the baselines of the image the request names.
// An image the fake does not hold has none, like an unscanned one.
func (s *Server) imageBaselinesFor(q url.Values) ([]Baseline, *apiError) {
	uuid := q.Get("ImageUuid")
	if uuid == "" {
		return nil, newAPIError(http.StatusBadRequest, "MissingParameter",
			"The input parameter \"ImageUuid\" that is mandatory for processing this request is not supplied.")
	}
	data, _ := s.snapshotImages()
	for _, img := range data.images {
		if fieldString(img["Uuid"]) == uuid {
			return ImageBaselines(img), nil
		}
	}
	return nil, nil
}

// describeImageBaselineCheckResult serves one page of an image's
// baselines, in the order of ImageBaselines.
func (s *Server) describeImageBaselineCheckResult(q url.Values, requestID string) ([]byte, *apiError) {
	paging, e := parseBaselinePaging(q, s.maxPageSize)
	if e != nil {
		return nil, e
	}
	keep, e := baselineFilter(q, paging.lang)
	if e != nil {
		return nil, e
	}
	all, e := s.imageBaselinesFor(q)
	if e != nil {
		return nil, e
	}
	var matched []Baseline
	for _, b := range all {
		if keep(b) {
			matched = append(matched, b)
		}
	}
	start, end := paging.window(len(matched))
	page := make([]baselineResultWire, 0, end-start)
	for _, b := range matched[start:end] {
		page = append(page, baselineResultWire{
			BaselineNameKey: b.Key, BaselineNameAlias: b.Name.In(paging.lang), BaselineClassAlias: b.ClassKey, BaselineNameLevel: b.Level,
			BaselineItemCount: b.ItemCount, HighRiskItemCount: b.HighRiskItems, MiddleRiskItemCount: b.MediumRiskItems, LowRiskItemCount: b.LowRiskItems,
			Status: b.Status, FirstScanTime: b.FirstScanTime, LastScanTime: b.LastScanTime,
		})
	}
	return marshalResponse(baselineCheckResultResponse{
		RequestID:      requestID,
		PageInfo:       pageInfo{CurrentPage: paging.page, PageSize: &paging.pageSize, TotalCount: len(matched), Count: len(page)},
		BaselineResult: page,
	})
}

// baselineFilter reads RiskLevel, Criteria and CriteriaType. A keyword
// matches, case insensitively, part of the key or of the display name (in
// the request's language) of the baseline (BaselineNameAlias) or of its
// class (BaselineClassAlias); without CriteriaType, of either.
func baselineFilter(q url.Values, lang string) (func(Baseline) bool, *apiError) {
	levels := map[string]bool{}
	if param := q.Get("RiskLevel"); param != "" {
		for level := range strings.SplitSeq(param, ",") {
			level = strings.TrimSpace(level)
			if !baselineLevels[level] {
				return nil, invalidParameter("The specified parameter RiskLevel %q is invalid; use high, medium and low, comma-separated.", param)
			}
			levels[level] = true
		}
	}
	kw := strings.ToLower(q.Get("Criteria"))
	byName, byClass := true, true
	switch ct := q.Get("CriteriaType"); ct {
	case "":
	case "BaselineNameAlias":
		byClass = false
	case "BaselineClassAlias":
		byName = false
	default:
		return nil, invalidParameter("The specified parameter CriteriaType %q is invalid; use BaselineNameAlias or BaselineClassAlias.", ct)
	}
	contains := func(texts ...string) bool {
		for _, t := range texts {
			if strings.Contains(strings.ToLower(t), kw) {
				return true
			}
		}
		return false
	}
	return func(b Baseline) bool {
		if len(levels) > 0 && !levels[b.Level] {
			return false
		}
		return kw == "" || (byName && contains(b.Key, b.Name.In(lang))) || (byClass && contains(b.ClassKey, b.ClassName.In(lang)))
	}, nil
}

// describeImageBaselineItemList serves one page of an image's check items,
// baseline by baseline in the order of the check results.
func (s *Server) describeImageBaselineItemList(q url.Values, requestID string) ([]byte, *apiError) {
	paging, e := parseBaselinePaging(q, s.maxPageSize)
	if e != nil {
		return nil, e
	}
	status := -1
	if param := q.Get("Status"); param != "" {
		n, err := strconv.Atoi(param)
		if err != nil || n < BaselineItemStatusUnfixed || n > BaselineItemStatusFixFailed {
			return nil, invalidParameter("The specified parameter Status %q is invalid; use 0, 1, 2 or 3.", param)
		}
		status = n
	}
	all, e := s.imageBaselinesFor(q)
	if e != nil {
		return nil, e
	}
	nameKey, classKey := q.Get("BaselineNameKey"), q.Get("BaselineClassKey")
	var matched []baselineItemWire
	for _, b := range all {
		if (nameKey != "" && b.Key != nameKey) || (classKey != "" && b.ClassKey != classKey) {
			continue
		}
		for _, item := range b.Items {
			if status >= 0 && item.Status != status {
				continue
			}
			matched = append(matched, baselineItemWire{
				BaselineItemKey: item.Key, BaselineItemAlias: item.Name.In(paging.lang),
				BaselineNameKey: b.Key, BaselineNameAlias: b.Name.In(paging.lang),
				BaselineClassKey: b.ClassKey, BaselineClassAlias: b.ClassName.In(paging.lang),
				Status: item.Status, WhiteList: boolToInt(item.Whitelisted),
			})
		}
	}
	start, end := paging.window(len(matched))
	return marshalResponse(baselineItemListResponse{
		RequestID:         requestID,
		PageInfo:          pageInfo{CurrentPage: paging.page, PageSize: &paging.pageSize, TotalCount: len(matched), Count: end - start},
		BaselineItemInfos: append([]baselineItemWire{}, matched[start:end]...),
	})
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
