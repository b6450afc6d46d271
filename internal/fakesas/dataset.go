package fakesas

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// genEpochMillis is the fixed instant (2025-06-01T00:00:00Z) GenerateImages
// dates its images from, so its output never depends on the wall clock.
const genEpochMillis int64 = 1748736000000

const dayMillis int64 = 24 * 60 * 60 * 1000

// demoBackgroundSeed fixes the background images of DemoImages.
const demoBackgroundSeed = 20240611

// Uuids of the hand-written demo images, for tests and examples that refer to them.
const (
	DemoUUIDPaymentsVulnerable = "5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e01" // payments-api:1.4.2
	DemoUUIDPaymentsClean      = "5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e02" // payments-api:1.4.3
	DemoUUIDCheckoutUnscanned  = "5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e03" // checkout-web:2.0.0
	DemoUUIDAuthStale          = "5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e04" // auth-service:3.1.0
)

// repoNames are the repositories generated images belong to.
func repoNames() []string {
	return []string{
		"payments-api", "checkout-web", "auth-service", "user-profile", "order-service",
		"inventory-sync", "notification-worker", "search-indexer", "billing-batch", "gateway-nginx",
		"recommendation-engine", "fraud-detector", "media-transcoder", "report-generator", "shipping-tracker",
		"catalog-api", "cart-service", "loyalty-points", "admin-console", "metrics-exporter",
		"log-shipper", "redis-cache", "postgres-backup", "kafka-connect", "ml-feature-store",
		"sso-bridge", "coupon-service", "webhook-relay", "image-resizer", "mysql-proxy",
	}
}

// genRepo is a repository's fixed attributes. Fields that end up in every
// image are stored already boxed as any, so building an image does not
// allocate for them again.
type genRepo struct {
	name, namespace, region         string
	registryType, repoType          any
	boxedName, boxedNS, boxedRegion any
	instanceID, repoID              any
	registryHost                    string
	major, minor, patch             int
}

// generator produces images from a seeded PRNG relative to a reference time.
type generator struct {
	rng   *rand.Rand
	nowMs int64
	repos []*genRepo
	buf   []byte // reused scratch space for one record's strings
}

func newGenerator(seed int64, nowMs int64) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(uint64(seed), 0x1a6e5)), nowMs: nowMs}
	namespaces := []string{"prod", "prod", "prod", "staging", "staging", "dev", "platform", "data", "shared"}
	regions := []string{"cn-hangzhou", "cn-hangzhou", "cn-hangzhou", "cn-shanghai", "cn-shanghai", "cn-beijing",
		"cn-shenzhen", "ap-southeast-1", "ap-southeast-1", "cn-hongkong", "eu-central-1", "us-west-1"}
	// One ACR instance per region, as most tenants have.
	instances := map[string]string{}
	for _, name := range repoNames() {
		r := &genRepo{
			name:      name,
			namespace: namespaces[g.rng.IntN(len(namespaces))],
			region:    regions[g.rng.IntN(len(regions))],
			repoType:  "private",
			repoID:    g.hex(32),
			major:     g.rng.IntN(4),
			minor:     g.rng.IntN(12),
			patch:     g.rng.IntN(5),
		}
		if g.rng.IntN(10) == 0 {
			r.repoType = "public"
		}
		if g.rng.IntN(6) == 0 {
			r.registryType = "harbor"
			r.instanceID = "harbor-" + g.hex(8)
			r.registryHost = "harbor." + r.region + ".corp.example"
		} else {
			r.registryType = "acr"
			id, ok := instances[r.region]
			if !ok {
				id = "cri-" + g.alnum(16)
				instances[r.region] = id
			}
			r.instanceID = id
			r.registryHost = "registry." + r.region + ".aliyuncs.com"
		}
		r.boxedName, r.boxedNS, r.boxedRegion = r.name, r.namespace, r.region
		g.repos = append(g.repos, r)
	}
	return g
}

// GenerateImages returns n realistic images, the same for the same seed:
// about 30 repositories across namespaces and regions, mostly ACR, semver and
// git-sha tags, skewed vulnerability/baseline/alert counts with matching
// statuses, about 8% never scanned. Sizes and create/update times are numeric
// strings as on the wire; LastScanTime is a number. Timestamps lie before
// 2025-06-01.
func GenerateImages(n int, seed int64) []Image {
	return generateImages(n, seed, genEpochMillis)
}

func generateImages(n int, seed int64, nowMs int64) []Image {
	if n <= 0 {
		return []Image{}
	}
	// Drawing is sequential (it must follow one PRNG stream to be
	// deterministic); turning records into maps is pure and allocation-heavy,
	// so it runs in parallel.
	g := newGenerator(seed, nowMs)
	records := make([]genRecord, n)
	for i := range records {
		g.record(&records[i])
	}
	out := make([]Image, n)
	workers := min(runtime.GOMAXPROCS(0), 8, 1+n/5000)
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := start; i < end; i++ {
				out[i] = records[i].image()
			}
		}()
	}
	wg.Wait()
	return out
}

// genRecord is one drawn image before it becomes a wire map.
type genRecord struct {
	repo                                  *genRepo
	tag, digest, imageID, uuid, endpoints string
	size, created, updated                string
	deployed                              bool
	lastScan                              int64
	scaStatus, scaResult, bizTag          string
	scaProgress                           int
	vul, hc, alarm                        int
}

// pickRepo favours the first repositories, so a few hold most images.
func (g *generator) pickRepo() *genRepo {
	u := g.rng.Float64()
	return g.repos[int(u*u*float64(len(g.repos)))]
}

// appendTag advances the repository's version and appends the tag, or
// appends a git-sha tag.
func (g *generator) appendTag(b []byte, r *genRepo) []byte {
	switch u := g.rng.IntN(100); {
	case u < 20:
		return g.appendHex(b, 7)
	case u < 22:
		r.major, r.minor, r.patch = r.major+1, 0, 0
	case u < 40:
		r.minor, r.patch = r.minor+1, 0
	default:
		r.patch++
	}
	style := g.rng.IntN(20)
	if style == 1 {
		b = append(b, 'v')
	}
	b = strconv.AppendInt(b, int64(r.major), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(r.minor), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(r.patch), 10)
	switch style {
	case 0:
		b = append(b, "-rc."...)
		b = strconv.AppendInt(b, int64(1+g.rng.IntN(3)), 10)
	case 2:
		b = append(b, "-alpine"...)
	}
	return b
}

// record draws every random attribute of one image. All its strings are
// slices of one buffer, so a record costs one string allocation.
func (g *generator) record(rec *genRecord) {
	r := g.pickRepo()
	rec.repo = r
	b := g.buf[:0]
	mark := func() int { return len(b) }

	tagStart := mark()
	b = g.appendTag(b, r)
	tagEnd := mark()
	b = g.appendHex(b, 64+64+32)
	idsEnd := mark()
	b = g.appendEndpoints(b, r, b[tagStart:tagEnd])
	endpointsEnd := mark()
	b = strconv.AppendInt(b, g.imageSize(), 10)
	sizeEnd := mark()
	created := g.nowMs - g.rng.Int64N(540*dayMillis)
	updated := created + g.rng.Int64N(min(30*dayMillis, g.nowMs-created)+1)
	b = strconv.AppendInt(b, created, 10)
	createdEnd := mark()
	b = strconv.AppendInt(b, updated, 10)
	updatedEnd := mark()
	g.buf = b

	all := string(b)
	rec.tag = all[tagStart:tagEnd]
	rec.digest = all[tagEnd : tagEnd+64]
	rec.imageID = all[tagEnd+64 : tagEnd+128]
	rec.uuid = uuidFromHex(all[tagEnd+128:idsEnd], g.rng.IntN(4))
	rec.endpoints = all[idsEnd:endpointsEnd]
	rec.size = all[endpointsEnd:sizeEnd]
	rec.created = all[sizeEnd:createdEnd]
	rec.updated = all[createdEnd:updatedEnd]
	rec.deployed = g.rng.IntN(10) < 6
	g.scanState(rec, updated)
	if g.rng.IntN(100) < 15 {
		rec.bizTag = []string{"PAI", "ACK", "EAS", "ECI"}[g.rng.IntN(4)]
	}
}

// scanState draws the scan fields: never scanned (~8%), rescanning (~2%) or
// scanned, with counts that the statuses are later derived from.
func (g *generator) scanState(rec *genRecord, updated int64) {
	u := g.rng.IntN(100)
	if u < 8 {
		switch v := g.rng.IntN(20); {
		case v < 12:
			rec.scaStatus = "INIT"
		case v < 17:
			rec.scaStatus, rec.scaProgress = "FAIL", 5+g.rng.IntN(90)
			rec.scaResult = []string{"TASK_NOT_SUPPORT_REGION", "TASK_NOT_EXISTS"}[g.rng.IntN(2)]
		default:
			rec.scaStatus, rec.scaProgress = "TIMEOUT", 5+g.rng.IntN(90)
		}
		return
	}
	rec.lastScan = updated + g.rng.Int64N(g.nowMs-updated+1)
	if u < 10 {
		running := []string{"START", "DOWNLOAD", "PRE_ANALYZER", "CVE_ANALYZER", "BIN_ANALYZER"}
		rec.scaStatus, rec.scaProgress = running[g.rng.IntN(len(running))], 10+g.rng.IntN(80)
	} else {
		rec.scaStatus, rec.scaProgress = "SUCCESS", 100
		if g.rng.IntN(100) < 3 {
			rec.scaResult = "forbid_create_repeat_task"
		}
	}
	rec.vul, rec.hc, rec.alarm = g.skewed(45, 250, 3), g.skewed(55, 40, 2), g.skewed(88, 12, 2)
}

// image renders the record in wire form. Optional fields (ScaResult,
// SourceBizTag) are absent rather than empty, as on the wire.
func (rec *genRecord) image() Image {
	r := rec.repo
	// 28 entries fill a 32-slot map table exactly; only the rare image with
	// both optional fields grows it. A larger hint would double every table.
	img := make(Image, 28)
	img["Status"] = "NORMAL"
	img["RepoName"] = r.boxedName
	img["RepoNamespace"] = r.boxedNS
	img["RegionId"] = r.boxedRegion
	img["RegistryType"] = r.registryType
	img["RepoType"] = r.repoType
	img["InstanceId"] = r.instanceID
	img["RepoId"] = r.repoID
	img["Tag"] = rec.tag
	img["Digest"] = rec.digest
	img["ImageId"] = rec.imageID
	img["Uuid"] = rec.uuid
	img["Endpoints"] = rec.endpoints
	img["ImageSize"] = rec.size
	img["ImageCreate"] = rec.created
	img["ImageUpdate"] = rec.updated
	img["Deployed"] = boolInt(rec.deployed)
	img["LastScanTime"] = rec.lastScan
	img["ScaStatus"] = rec.scaStatus
	img["ScaProgress"] = rec.scaProgress
	if rec.scaResult != "" {
		img["ScaResult"] = rec.scaResult
	}
	if rec.bizTag != "" {
		img["SourceBizTag"] = rec.bizTag
	}
	setCounts(img, rec.vul, rec.hc, rec.alarm)
	return img
}

// skewed returns 0 with probability zeroPct% and otherwise 1..scale with most
// values small (power-law shaped).
func (g *generator) skewed(zeroPct int, scale float64, power float64) int {
	if g.rng.IntN(100) < zeroPct {
		return 0
	}
	return 1 + int(math.Pow(g.rng.Float64(), power)*scale)
}

// setCounts writes the counts and the YES/NO statuses derived from them.
func setCounts(img Image, vul, hc, alarm int) {
	img["VulCount"], img["VulStatus"] = vul, yesNo(vul > 0)
	img["HcCount"], img["HcStatus"] = hc, yesNo(hc > 0)
	img["AlarmCount"], img["AlarmStatus"] = alarm, yesNo(alarm > 0)
	img["RiskStatus"] = yesNo(vul > 0 || hc > 0 || alarm > 0)
}

// yesNo returns a boxed constant, which costs no allocation per image.
func yesNo(b bool) any {
	if b {
		return "YES"
	}
	return "NO"
}

func boolInt(b bool) any {
	if b {
		return 1
	}
	return 0
}

// imageSize is bytes between 5 MB and 2 GB, log-uniform.
func (g *generator) imageSize() int64 {
	return int64(5e6 * math.Exp(g.rng.Float64()*math.Log(400)))
}

// appendEndpoints appends the image's pull addresses as a JSON array (the
// wire puts it inside a string): none (~10%), the public address, sometimes
// also the VPC one. Hosts, names and tags are plain ASCII without quotes or
// backslashes, so no JSON escaping is needed.
func (g *generator) appendEndpoints(b []byte, r *genRepo, tag []byte) []byte {
	if g.rng.IntN(10) == 0 {
		return append(b, "[]"...)
	}
	appendPath := func(b []byte) []byte {
		b = append(b, '/')
		b = append(b, r.namespace...)
		b = append(b, '/')
		b = append(b, r.name...)
		b = append(b, ':')
		return append(b, tag...)
	}
	b = append(b, `["`...)
	b = append(b, r.registryHost...)
	b = appendPath(b)
	if r.registryType == "acr" && g.rng.IntN(3) == 0 {
		b = append(b, `","registry-vpc.`...)
		b = append(b, r.region...)
		b = append(b, ".aliyuncs.com"...)
		b = appendPath(b)
	}
	return append(b, `"]`...)
}

func jsonStringArray(list []string) string {
	b, err := json.Marshal(list)
	if err != nil {
		return "[]" // cannot happen for strings
	}
	return string(b)
}

const hexDigits = "0123456789abcdef"

// hex returns n random lower-case hex digits.
func (g *generator) hex(n int) string {
	return string(g.appendHex(nil, n))
}

// appendHex appends n random lower-case hex digits.
func (g *generator) appendHex(b []byte, n int) []byte {
	for n > 0 {
		v := g.rng.Uint64()
		for i := 0; i < 16 && n > 0; i, n = i+1, n-1 {
			b = append(b, hexDigits[v&0xf])
			v >>= 4
		}
	}
	return b
}

// alnum returns n random lower-case letters and digits.
func (g *generator) alnum(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	buf := make([]byte, n)
	for i := range buf {
		buf[i] = chars[g.rng.IntN(len(chars))]
	}
	return string(buf)
}

// uuidFromHex formats 32 hex digits as a version-4 UUID; variant picks the
// RFC 4122 variant digit.
func uuidFromHex(h string, variant int) string {
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + "89ab"[variant:variant+1] + h[17:20] + "-" + h[20:32]
}

// DemoImages is the demo dataset, dated relative to now so "recent" stays
// recent. Besides ~40 generated background images (fixed seed, none of them
// in the named repositories below) it holds, all in namespace "prod",
// region cn-hangzhou, ACR:
//
//   - payments-api:1.4.2 (DemoUUIDPaymentsVulnerable): vulnerable — VulCount 7,
//     VulStatus/RiskStatus YES, scanned 2 days ago, deployed.
//   - payments-api:1.4.3 (DemoUUIDPaymentsClean): clean, scanned 3 hours ago,
//     not deployed yet (the fix waiting to roll out).
//   - checkout-web:2.0.0 (DemoUUIDCheckoutUnscanned): never scanned —
//     LastScanTime 0, ScaStatus INIT, ScaProgress 0; deployed.
//   - auth-service:3.1.0 (DemoUUIDAuthStale): clean but last scanned 120 days
//     before now; deployed.
//
// Their secrets and malicious files are fixed (demoFindings):
//
//   - payments-api:1.4.2: unhandled secret types aws_access_key (high, 2
//     files: /app/config/.env, /root/.aws/credentials) and
//     postgresql_passwd (medium, 1 file: /app/config/database.yml); the
//     miner DemoMinerMD5 at DemoMinerPath (serious, unhandled) and the
//     webshell DemoWebshellMD5 at DemoWebshellPath (suspicious,
//     whitelisted).
//   - payments-api:1.4.3: no unhandled secret, only git_cfg (low, handled,
//     1 file: /app/.git/config); no malicious file.
//   - checkout-web:2.0.0: never scanned, so nothing.
//   - auth-service:3.1.0: ssh_private_key (medium, unhandled, 1 file:
//     /home/app/.ssh/id_rsa); no malicious file.
func DemoImages(now time.Time) []Image {
	nowMs := now.UnixMilli()
	named := []Image{
		demoImage(nowMs, "payments-api", "1.4.2", DemoUUIDPaymentsVulnerable, 40, 2*dayMillis, 7, 1),
		demoImage(nowMs, "payments-api", "1.4.3", DemoUUIDPaymentsClean, 4, 3*60*60*1000, 0, 0),
		demoImage(nowMs, "checkout-web", "2.0.0", DemoUUIDCheckoutUnscanned, 10, 0, 0, 1),
		demoImage(nowMs, "auth-service", "3.1.0", DemoUUIDAuthStale, 200, 120*dayMillis, 0, 1),
	}
	reserved := map[string]bool{"payments-api": true, "checkout-web": true, "auth-service": true}
	out := named
	for _, img := range generateImages(80, demoBackgroundSeed, nowMs) {
		if len(out) == len(named)+40 {
			break
		}
		if !reserved[fieldString(img["RepoName"])] {
			out = append(out, img)
		}
	}
	return out
}

// demoImage builds one named demo image. scannedAgo 0 means never scanned.
func demoImage(nowMs int64, repo, tag, uuid string, createdDaysAgo int64, scannedAgo int64, vulCount, deployed int) Image {
	created := nowMs - createdDaysAgo*dayMillis
	repoSeed, imageSeed := stringSeed(repo), stringSeed(repo+":"+tag)
	img := Image{
		"Status":        "NORMAL",
		"RepoName":      repo,
		"RepoNamespace": "prod",
		"RegionId":      "cn-hangzhou",
		"RegistryType":  "acr",
		"RepoType":      "private",
		"InstanceId":    "cri-demo7h2k9x4m1q8w",
		"RepoId":        demoHex(repoSeed, 32),
		"Tag":           tag,
		"Digest":        demoDigest(repo, tag),
		"ImageId":       demoHex(^imageSeed, 64),
		"Uuid":          uuid,
		"Endpoints":     jsonStringArray([]string{"registry.cn-hangzhou.aliyuncs.com/prod/" + repo + ":" + tag}),
		"ImageSize":     strconv.FormatInt(180_000_000+int64(len(repo))*1_000_000, 10),
		"ImageCreate":   strconv.FormatInt(created, 10),
		"ImageUpdate":   strconv.FormatInt(created, 10),
		"Deployed":      deployed,
	}
	if scannedAgo == 0 {
		img["LastScanTime"], img["ScaStatus"], img["ScaProgress"] = int64(0), "INIT", 0
	} else {
		img["LastScanTime"], img["ScaStatus"], img["ScaProgress"] = nowMs-scannedAgo, "SUCCESS", 100
	}
	setCounts(img, vulCount, 0, 0)
	return img
}

// demoDigest is the digest of the hand-written demo image repo:tag.
func demoDigest(repo, tag string) string {
	return demoHex(stringSeed(repo+":"+tag), 64)
}

// stringSeed hashes s (FNV-1a) into a seed for demoHex.
func stringSeed(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// demoHex derives n hex digits from a seed, for stable ids of demo images.
func demoHex(seed uint64, n int) string {
	buf := make([]byte, 0, n)
	for x := seed; len(buf) < n; x = splitmix64(x) {
		v := splitmix64(x)
		for i := 0; i < 16 && len(buf) < n; i++ {
			buf = append(buf, hexDigits[v&0xf])
			v >>= 4
		}
	}
	return string(buf)
}

// DocumentedFields lists every image field of the DescribeImageInstances
// documentation, in documentation order.
func DocumentedFields() []string {
	return []string{
		"Status", "Digest", "RegistryType", "Tag", "ImageUpdate", "RepoType", "ImageSize",
		"HcStatus", "VulCount", "ImageId", "Endpoints", "RiskStatus", "ImageCreate", "VulStatus",
		"AlarmStatus", "ScaProgress", "InstanceId", "RegionId", "ScaStatus", "Uuid", "RepoId",
		"HcCount", "ScaResult", "RepoName", "AlarmCount", "RepoNamespace", "Deployed",
		"LastScanTime", "SourceBizTag",
	}
}

// FullImage has every documented field set to a distinctive value (no two
// fields share one, except the YES/NO status flags, which agree with their
// counts), with wire types as the service sends them, so tests can check each
// attribute is mapped from the right field.
func FullImage() Image {
	return Image{
		"Status":        "NORMAL",
		"Digest":        "d1e2a3d4b5e6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70",
		"RegistryType":  "harbor",
		"Tag":           "v9.8.7-rc.5",
		"ImageUpdate":   "1712345678901",
		"RepoType":      "public",
		"ImageSize":     "123456789",
		"HcStatus":      "YES",
		"VulCount":      11,
		"ImageId":       "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
		"Endpoints":     `["harbor.full.example/full-ns/full-repo:v9.8.7-rc.5","harbor-vpc.full.example/full-ns/full-repo:v9.8.7-rc.5"]`,
		"RiskStatus":    "YES",
		"ImageCreate":   "1701234567890",
		"VulStatus":     "YES",
		"AlarmStatus":   "YES",
		"ScaProgress":   99,
		"InstanceId":    "harbor-full0001",
		"RegionId":      "cn-shanghai",
		"ScaStatus":     "PRE_ANALYZER_SUCCESS",
		"Uuid":          "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f",
		"RepoId":        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
		"HcCount":       3,
		"ScaResult":     "TASK_NOT_SUPPORT_REGION",
		"RepoName":      "full-repo",
		"AlarmCount":    5,
		"RepoNamespace": "full-ns",
		"Deployed":      1,
		"LastScanTime":  int64(1712349999000),
		"SourceBizTag":  "PAI",
	}
}
