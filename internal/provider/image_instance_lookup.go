package provider

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// lookupArgument is one argument of sas_image_instance that selects or
// narrows the image: its schema text, the criterion it sends and the image
// field the result must equal. It is also a result attribute of the same
// name (imageSchemaAttributes), set from the image found.
type lookupArgument struct {
	name      string
	criterion string
	usage     string
	validator validator.String
	config    func(*imageModel) types.String
	field     func(*sasapi.ImageInstance) sasapi.String
	// normalize, when set, gives the form a value is sent and compared in.
	normalize func(string) string
}

// narrowingNames are the arguments that only narrow a lookup, for messages.
const narrowingNames = "repo_namespace, instance_id, region_id or registry_type"

// selectorNames lists the ways to select an image, for messages.
const selectorNames = "digest, image_id, or repo_name together with tag"

// lookupArguments are in the order messages name them.
var lookupArguments = []lookupArgument{
	{
		name: "digest", criterion: "digest", normalize: normalizeDigestText,
		usage:     "**Selector.** The image's manifest digest, with or without the `sha256:` prefix (64 hex digits, in any case). The request carries the bare lower-case 64-hex form, as `DescribeImageInstances` returns it in `Digest`; the result holds that bare form too.",
		validator: digestValidator(),
		config:    func(m *imageModel) types.String { return m.Digest },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.Digest },
	},
	{
		name: "image_id", criterion: "ImageId", normalize: withoutSHA256Prefix,
		usage:     "**Selector.** The image id (criterion `ImageId`), with or without the `sha256:` prefix; the request carries it without the prefix.",
		validator: stringvalidator.RegexMatches(imageIDPattern, "must be an image id, with or without the sha256: prefix"),
		config:    func(m *imageModel) types.String { return m.ImageID },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.ImageId },
	},
	{
		name: "repo_name", criterion: "repoName",
		usage:     "**Selector, with `tag`.** Repository name, without registry or namespace, such as `payments-api`.",
		validator: stringvalidator.LengthAtLeast(1),
		config:    func(m *imageModel) types.String { return m.RepoName },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.RepoName },
	},
	{
		name: "tag", criterion: "tag",
		usage:     "**Selector, with `repo_name`.** Image tag, such as `1.4.3`.",
		validator: stringvalidator.LengthAtLeast(1),
		config:    func(m *imageModel) types.String { return m.Tag },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.Tag },
	},
	{
		name: "repo_namespace", criterion: "repoNamespace",
		usage:     "**Narrows** the lookup to one registry namespace, such as `prod`.",
		validator: stringvalidator.LengthAtLeast(1),
		config:    func(m *imageModel) types.String { return m.RepoNamespace },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.RepoNamespace },
	},
	{
		name: "instance_id", criterion: "instanceId",
		usage:     "**Narrows** the lookup to one registry instance.",
		validator: stringvalidator.LengthAtLeast(1),
		config:    func(m *imageModel) types.String { return m.InstanceID },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.InstanceId },
	},
	{
		name: "region_id", criterion: "regionId",
		usage:     "**Narrows** the lookup to images of one region, such as `cn-hangzhou`. Without it the lookup covers every region: the provider's `region` only selects the API endpoint.",
		validator: stringvalidator.LengthAtLeast(1),
		config:    func(m *imageModel) types.String { return m.RegionID },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.RegionId },
	},
	{
		name: "registry_type", criterion: "registryType",
		usage:     "**Narrows** the lookup to one registry kind, such as `acr` or `harbor`.",
		validator: stringvalidator.LengthAtLeast(1),
		config:    func(m *imageModel) types.String { return m.RegistryType },
		field:     func(i *sasapi.ImageInstance) sasapi.String { return i.RegistryType },
	},
}

// checkSelectors reports, naming the attributes, a configuration that does
// not set exactly one selector. It says nothing while a selector is
// unknown: Read checks again once every value is known.
func checkSelectors(m *imageModel) diag.Diagnostics {
	var diags diag.Diagnostics
	digest, imageID, repoName, tag := m.Digest, m.ImageID, m.RepoName, m.Tag
	for _, v := range []types.String{digest, imageID, repoName, tag} {
		if v.IsUnknown() {
			return diags
		}
	}
	var set []string
	if !digest.IsNull() {
		set = append(set, "digest")
	}
	if !imageID.IsNull() {
		set = append(set, "image_id")
	}
	if !repoName.IsNull() || !tag.IsNull() {
		set = append(set, "repo_name with tag")
	}
	switch {
	case len(set) == 0:
		diags.AddError("No image selector",
			"Set exactly one of "+selectorNames+". "+narrowingNames+" only narrow a lookup.")
	case len(set) > 1:
		diags.AddError("Several image selectors",
			fmt.Sprintf("Set exactly one of %s; this configuration sets %s. Narrow a lookup with %s instead.",
				selectorNames, strings.Join(set, " and "), narrowingNames))
	case tag.IsNull() && !repoName.IsNull():
		diags.AddAttributeError(path.Root("repo_name"), "repo_name without tag",
			"repo_name selects an image only together with tag: set tag too, or select the image by digest or image_id.")
	case repoName.IsNull() && !tag.IsNull():
		diags.AddAttributeError(path.Root("tag"), "tag without repo_name",
			"tag selects an image only together with repo_name: set repo_name too, or select the image by digest or image_id.")
	}
	return diags
}

// lookupCriterion is one configured argument with the value it sends.
type lookupCriterion struct {
	arg   *lookupArgument
	value string
}

// imageLookup is one configured lookup.
type imageLookup struct {
	criteria   []lookupCriterion
	mostRecent bool
}

// lookupPageSize is the one page a lookup reads: the largest the service
// accepts, enough to list candidates of an ambiguous lookup.
const lookupPageSize = sasapi.MaxPageSize

// maxCandidatesListed bounds the images an ambiguity error lists.
const maxCandidatesListed = 10

func newImageLookup(m *imageInstanceModel) imageLookup {
	l := imageLookup{mostRecent: m.MostRecent.ValueBool()}
	for k := range lookupArguments {
		arg := &lookupArguments[k]
		v := arg.config(&m.imageModel)
		if v.IsNull() || v.IsUnknown() {
			continue
		}
		l.criteria = append(l.criteria, lookupCriterion{arg: arg, value: arg.normalise(v.ValueString())})
	}
	return l
}

func (a *lookupArgument) normalise(v string) string {
	if a.normalize != nil {
		return a.normalize(v)
	}
	return v
}

func withoutSHA256Prefix(v string) string { return strings.TrimPrefix(v, "sha256:") }

// query is what a lookup asks the service for.
func (l imageLookup) query() sasapi.ImageQuery {
	query := sasapi.ImageQuery{LogicalExp: sasapi.LogicalAnd}
	for _, c := range l.criteria {
		query.Criteria = append(query.Criteria, sasapi.Criterion{Name: c.arg.criterion, Value: c.value})
	}
	return query
}

// lookupOptions read one page of lookupPageSize images.
var lookupOptions = sasapi.ListOptions{PageSize: lookupPageSize, MaxResults: lookupPageSize}

// matches tells whether the image's fields equal every configured value:
// the service's criteria may match loosely (substrings).
func (l imageLookup) matches(i *sasapi.ImageInstance) bool {
	for _, c := range l.criteria {
		f := c.arg.field(i)
		if !f.Valid || c.arg.normalise(f.Value) != c.value {
			return false
		}
	}
	return true
}

// lookupFailure is why a lookup did not yield exactly one image: a
// problem the diagnostic explains.
type lookupFailure struct {
	kind       lookupFailureKind
	lookup     imageLookup
	candidates []sasapi.ImageInstance // exact matches on the page read
	read       int                    // images on the page read
	total      int                    // the service's TotalCount
	where      string                 // the endpoint and region asked
}

type lookupFailureKind int

const (
	lookupNotFound lookupFailureKind = iota
	lookupAmbiguous
	lookupIncomplete // more matched than one page holds
)

// choose picks the image from the page read (records received, duplicates
// included, of the total the service reported), or says why it cannot.
// where names the endpoint and region asked, for the failure's message.
func (l imageLookup) choose(images []sasapi.ImageInstance, read, total int, where string) (*sasapi.ImageInstance, error) {
	var exact []sasapi.ImageInstance
	for k := range images {
		if l.matches(&images[k]) {
			exact = append(exact, images[k])
		}
	}
	failure := &lookupFailure{lookup: l, candidates: exact, read: read, total: total, where: where}
	switch {
	case len(exact) > 1 && !l.mostRecent:
		failure.kind = lookupAmbiguous
	case total > read:
		// An exact match, or a newer one, may be on a page not read.
		failure.kind = lookupIncomplete
	case len(exact) == 0:
		failure.kind = lookupNotFound
	default:
		chosen := slices.MinFunc(exact, newestFirst)
		return &chosen, nil
	}
	return nil, failure
}

// newestFirst orders images as most_recent picks them: the newest
// image_update, then the newest image_create, then the smallest uuid. A
// time the service did not send counts as the oldest.
func newestFirst(a, b sasapi.ImageInstance) int {
	return cmp.Or(
		-cmp.Compare(knownTime(a.ImageUpdate), knownTime(b.ImageUpdate)),
		-cmp.Compare(knownTime(a.ImageCreate), knownTime(b.ImageCreate)),
		cmp.Compare(a.Uuid.Value, b.Uuid.Value),
	)
}

func knownTime(ms sasapi.Int) int64 {
	if !ms.Valid {
		return -1
	}
	return ms.Value
}

// describe renders the configured arguments as in the configuration.
func (l imageLookup) describe() string {
	parts := make([]string, len(l.criteria))
	for k, c := range l.criteria {
		parts[k] = fmt.Sprintf("%s = %q", c.arg.name, c.value)
	}
	return strings.Join(parts, ", ")
}

// value is the configured value of an argument, "" when not set.
func (l imageLookup) value(name string) string {
	for _, c := range l.criteria {
		if c.arg.name == name {
			return c.value
		}
	}
	return ""
}

func (f *lookupFailure) Error() string { return f.summary() + ": " + f.lookup.describe() }

func (f *lookupFailure) summary() string {
	switch f.kind {
	case lookupAmbiguous:
		return "Several Security Center images match"
	case lookupIncomplete:
		return "Too many Security Center images to look up one"
	}
	return "No Security Center image matches"
}

func (f *lookupFailure) detail() string {
	l := f.lookup
	switch f.kind {
	case lookupAmbiguous:
		count := fmt.Sprintf("%d images match", len(f.candidates))
		if f.total > f.read {
			count = fmt.Sprintf("At least %d images match", len(f.candidates))
		}
		return fmt.Sprintf("%s %s (%s):\n%s\nNarrow the lookup with %s, select the image by digest, "+
			"or set most_recent = true to take the most recently updated one.",
			count, l.describe(), f.where, candidateList(f.candidates), narrowingNames)
	case lookupIncomplete:
		return fmt.Sprintf("DescribeImageInstances reports %d images for %s (%s), more than the %d one lookup reads "+
			"(the service's criteria may also match longer names). Of those read, %d match exactly; the ones not read could hold "+
			"another or a newer one, so the lookup cannot tell it found the right image. Narrow the lookup with %s, or select the image by digest. "+
			"The sas_image_instances data source lists every match.",
			f.total, l.describe(), f.where, f.read, len(f.candidates), narrowingNames)
	}
	repo := l.value("repo_name")
	if repo == "" {
		repo = "<repository>"
	}
	return fmt.Sprintf("No image matches %s (%s). The lookup covers the whole account: the provider's region only selects "+
		"the endpoint, and only region_id narrows by the image's region. Check the values, or list the candidates "+
		"with the sas_image_instances data source, for example with criteria = [{ name = \"repoName\", value = %q }].",
		l.describe(), f.where, repo)
}

// candidateList lists up to maxCandidatesListed images, one per line.
func candidateList(images []sasapi.ImageInstance) string {
	var b strings.Builder
	for k := range min(len(images), maxCandidatesListed) {
		i := &images[k]
		fmt.Fprintf(&b, "  - %s/%s:%s, digest %s, region %s, instance %s\n",
			orNone(i.RepoNamespace), orNone(i.RepoName), orNone(i.Tag), orNone(i.Digest), orNone(i.RegionId), orNone(i.InstanceId))
	}
	if more := len(images) - maxCandidatesListed; more > 0 {
		fmt.Fprintf(&b, "  (and %d more)\n", more)
	}
	return b.String()
}

func orNone(s sasapi.String) string {
	if !s.Valid || s.Value == "" {
		return "(none)"
	}
	return s.Value
}
