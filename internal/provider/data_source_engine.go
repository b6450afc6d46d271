package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The data-source engine. A data source declares what is its own in a
// dataSourceSpec — type name, schema, plan-time checks, how its request is
// built from the configuration, the read, the flatten into the model — and
// the engine does the rest, the same way for all: Metadata, Schema,
// Configure, Read, what listings saw turned into diagnostics, the id, the
// state, and the one error path (diagnose).

// dataSourceSpec declares a data source whose model is M, whose request
// (the arguments in plain Go, checked) is Req and whose read gives Res.
type dataSourceSpec[M, Req, Res any] struct {
	// typeName follows the provider's name: "image_baselines".
	typeName    string
	description string
	// attributes are the schema's; the engine adds "id".
	attributes map[string]schema.Attribute
	// idDescription documents "id" when id is set.
	idDescription string
	// validators check the configuration at plan time.
	validators []datasource.ConfigValidator
	// listings says what a listing that comes up short means.
	listings listingRule
	// request builds the request from the configuration; its diagnostics
	// name the attributes at fault. It is the model's method, (*M).request.
	request func(m *M, ctx context.Context) (Req, diag.Diagnostics)
	// read reads the request through r.
	read func(ctx context.Context, r *reader, req Req) (Res, error)
	// flatten sets the computed attributes of m, summary included.
	flatten func(m *M, req Req, res Res)
	// id is the data source's id; nil: a hash of the configured arguments,
	// so the same arguments give the same id.
	id func(m *M) string
}

// listingRule is what a listing that came up short means to a data source.
type listingRule int

const (
	// inventoryListings: the result is the inventory as read; a listing
	// that changed or came up short during the read is a warning.
	inventoryListings listingRule = iota
	// riskListings: a listing that ends with fewer records than the
	// service reported, even when counted again, or whose count fell while
	// it was read, is an error, so that no gate can pass on a partial list
	// of risks. Any other change is a warning.
	riskListings
)

// dataSource is a data source of the provider, made of its spec.
type dataSource[M, Req, Res any] struct {
	spec dataSourceSpec[M, Req, Res]
	data *providerData
}

var (
	_ datasource.DataSource                     = (*dataSource[struct{}, struct{}, struct{}])(nil)
	_ datasource.DataSourceWithConfigure        = (*dataSource[struct{}, struct{}, struct{}])(nil)
	_ datasource.DataSourceWithConfigValidators = (*dataSource[struct{}, struct{}, struct{}])(nil)
)

// newDataSource returns the data source spec declares.
func newDataSource[M, Req, Res any](spec dataSourceSpec[M, Req, Res]) datasource.DataSource {
	return &dataSource[M, Req, Res]{spec: spec}
}

func (d *dataSource[M, Req, Res]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.spec.typeName
}

func (d *dataSource[M, Req, Res]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := make(map[string]schema.Attribute, len(d.spec.attributes)+1)
	for name, a := range d.spec.attributes {
		attrs[name] = a
	}
	idDesc := "Identifier derived from the arguments: the same arguments give the same id."
	if d.spec.id != nil {
		idDesc = d.spec.idDescription
	}
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: idDesc}
	resp.Schema = schema.Schema{MarkdownDescription: d.spec.description, Attributes: attrs}
}

func (d *dataSource[M, Req, Res]) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return d.spec.validators
}

func (d *dataSource[M, Req, Res]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *dataSource[M, Req, Res]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m M
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(d.read(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := d.id(&m, req.Config.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Cannot compute the id", fmt.Sprintf("%s. This is a bug in the provider; please report it.", err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue(id))...)
}

// read fills the computed attributes of m, the configuration: the request
// it asks for, read, flattened. Its warnings come with it; an error means
// m is not to be stored.
func (d *dataSource[M, Req, Res]) read(ctx context.Context, m *M) diag.Diagnostics {
	request, diags := d.spec.request(m, ctx)
	if diags.HasError() {
		return diags
	}
	if d.data == nil {
		diags.Append(notConfigured())
		return diags
	}
	r := &reader{client: d.data.client, data: d.data, rule: d.spec.listings}
	res, err := d.spec.read(ctx, r, request)
	diags.Append(r.diagnostics()...)
	if err != nil {
		diags.Append(diagnose(err))
		return diags
	}
	d.spec.flatten(m, request, res)
	return diags
}

func (d *dataSource[M, Req, Res]) id(m *M, config tftypes.Value) (string, error) {
	if d.spec.id != nil {
		return d.spec.id(m), nil
	}
	return argumentsID(config)
}

// argumentsID hashes the configuration: the same arguments give the same id.
func argumentsID(config tftypes.Value) (string, error) {
	encoded, err := tfprotov6.NewDynamicValue(config.Type(), config)
	if err != nil {
		return "", fmt.Errorf("encoding the arguments: %w", err)
	}
	sum := sha256.Sum256(encoded.MsgPack)
	return hex.EncodeToString(sum[:12]), nil
}

// reader is what a data source reads through: the provider's client, and
// the record of what its listings saw, which the engine turns into
// diagnostics by the data source's listing rule. It is safe for concurrent
// use, so that a read can fan out.
type reader struct {
	client *sasapi.Client
	data   *providerData
	rule   listingRule

	mu       sync.Mutex
	warnings diag.Diagnostics
}

func (r *reader) diagnostics() diag.Diagnostics {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.warnings
}

// warn adds a warning the read produced.
func (r *reader) warn(summary, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings.AddWarning(summary, detail)
}

// list reads every page of op for req.
func list[Req, T any](ctx context.Context, r *reader, op sasapi.Operation[Req, T], req Req, opts sasapi.ListOptions) (*sasapi.Listing[T], error) {
	opts.OnPage = logPage(ctx, op)
	l, err := sasapi.List(ctx, r.client, op, req, opts)
	if err != nil {
		return nil, err
	}
	return l, r.saw(ctx, reportOf(l))
}

// listEach reads the listing of each request, concurrently.
func listEach[Req, T any](ctx context.Context, r *reader, op sasapi.Operation[Req, T], reqs []Req, opts sasapi.ListOptions) ([]*sasapi.Listing[T], error) {
	opts.OnPage = logPage(ctx, op)
	listings, err := sasapi.ListEach(ctx, r.client, op, reqs, opts)
	if err != nil {
		return nil, err
	}
	for _, l := range listings {
		if err := r.saw(ctx, reportOf(l)); err != nil {
			return nil, err
		}
	}
	return listings, nil
}

// vulDetails returns the CVEs of each name, through the provider
// configuration's cache.
func (r *reader) vulDetails(ctx context.Context, names []string, lang string) (map[string][]sasapi.CVE, error) {
	return r.data.vulDetails.lookup(ctx, r.client, names, lang)
}

// listingReport is what the engine needs of a listing, whatever its records.
type listingReport struct {
	action, noun                                  string
	records, total, requests, retries, duplicates int
	pageSize                                      int
	requestIDs                                    []string
	anomalies                                     []sasapi.Anomaly
}

func reportOf[T any](l *sasapi.Listing[T]) listingReport {
	return listingReport{
		action: l.Action, noun: l.Noun, records: len(l.Items), total: l.TotalCount, requests: l.Requests,
		retries: l.Retries, duplicates: l.Duplicates, pageSize: l.PageSize, requestIDs: l.RequestIDs, anomalies: l.Anomalies,
	}
}

// saw logs a listing and turns its anomalies into warnings, or, for a
// risk listing that came up short, into the error that fails the read.
func (r *reader) saw(ctx context.Context, l listingReport) error {
	tflog.Info(ctx, "read Security Center "+l.noun, map[string]any{
		"action": l.action, "records": l.records, "total_count": l.total, "requests": l.requests,
		"retries": l.retries, "page_size": l.pageSize, "duplicates": l.duplicates,
	})
	for _, a := range l.anomalies {
		if r.rule == riskListings && mayHaveMissed(a) {
			return &incompleteListing{listing: l, anomaly: a}
		}
		r.warn(listingWarningSummary(l), anomalyText(l, a))
	}
	return nil
}

// mayHaveMissed: the listing ended short of the service's count, stopped
// while its pages went on, or saw the count fall while the pages were read
// (records may have moved onto pages already read). A count that rose
// only adds records, which the listing follows.
func mayHaveMissed(a sasapi.Anomaly) bool {
	switch a.Kind {
	case sasapi.AnomalyShort, sasapi.AnomalyUnfinished:
		return true
	case sasapi.AnomalyCountChanged:
		return a.Seen < a.Reported
	}
	return false
}

// logPage logs each page of a listing at debug level.
func logPage[Req, T any](ctx context.Context, op sasapi.Operation[Req, T]) func(sasapi.PageProgress) {
	return func(p sasapi.PageProgress) {
		tflog.Debug(ctx, fmt.Sprintf("%s page %d of %d: %d %s so far (TotalCount %d)", op.Action, p.Page, p.Pages, p.Items, op.Noun, p.TotalCount),
			map[string]any{"page": p.Page, "pages": p.Pages, "records_so_far": p.Items, "total_count": p.TotalCount})
	}
}
