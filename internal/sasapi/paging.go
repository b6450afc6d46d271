package sasapi

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// ListOptions controls how a listing pages through a query.
type ListOptions struct {
	// PageSize is requested of the service (default MaxPageSize). The
	// service may cap it; paging follows the size it actually serves.
	PageSize int
	// MaxResults stops the listing after this many records; 0 means all.
	MaxResults int
	// MaxConcurrency bounds the pages this listing has in flight; 0 uses
	// the client's. The client's Config.MaxConcurrency bounds all its
	// requests together, so a larger value here gains nothing.
	MaxConcurrency int
	// OnPage is called after each page arrives, from the fetching
	// goroutine: it must be safe for concurrent use.
	OnPage func(PageProgress)
}

// PageProgress reports one fetched page.
type PageProgress struct {
	Page       int // 1-based page number
	Pages      int // pages the listing needs
	Items      int // records received so far, all pages together
	TotalCount int // the service's TotalCount on the first page
}

// Listing is the complete, ordered, de-duplicated result of a query, with
// what the read saw of the service's consistency.
type Listing[T any] struct {
	// Action and Noun are the operation's, for messages.
	Action string
	Noun   string
	Items  []T
	// TotalCount is what the service reported for the query on the first
	// page, even when MaxResults cut the list short.
	TotalCount int
	// PageSize is the page size the service actually served.
	PageSize int
	// Requests counts successful page requests; Retries the failed
	// attempts that were retried.
	Requests int
	Retries  int
	// Duplicates counts records dropped because their key was seen before.
	Duplicates int
	// RequestIDs are the service's ids of the pages, in page order.
	RequestIDs []string
	// Anomalies are the inconsistencies seen while reading, for the caller
	// to tell the user about.
	Anomalies []Anomaly
}

// Short reports whether the listing ended with fewer records than the
// service reported, even after counting again: it may be incomplete.
func (l *Listing[T]) Short() bool {
	for _, a := range l.Anomalies {
		if a.Kind == AnomalyShort {
			return true
		}
	}
	return false
}

// Anomaly is one inconsistency a listing saw, with the numbers seen.
type Anomaly struct {
	Kind AnomalyKind
	// Reported is the TotalCount the listing went by: the first page's, or
	// for AnomalyShort what the service reported when counted again, or
	// MaxResults when lower.
	Reported int
	// Seen is the other number: the later TotalCount (AnomalyCountChanged),
	// the records repeated (AnomalyRepeated), or the records received
	// (AnomalyShort, AnomalyExceeded, AnomalyUnfinished).
	Seen int
}

// AnomalyKind names an inconsistency of a listing.
type AnomalyKind int

const (
	// AnomalyCountChanged: a later page reported another TotalCount than
	// the first; records added or removed meanwhile may be missing.
	AnomalyCountChanged AnomalyKind = iota + 1
	// AnomalyRepeated: records appeared on two pages and were kept once.
	AnomalyRepeated
	// AnomalyShort: the pages ran out before the records the service
	// reported were read, and a second count agreed with the first.
	AnomalyShort
	// AnomalyExceeded: more records arrived than the service reported; all
	// of them are in the result.
	AnomalyExceeded
	// AnomalyUnfinished: the pages went on far beyond the records the
	// service reported, and the listing stopped reading them while they
	// were still full: more may follow.
	AnomalyUnfinished
)

// List reads every page of the query req selects (or as many as
// MaxResults needs). The first page reveals TotalCount; the remaining
// pages are fetched concurrently, under the client's shared limits (fewer
// at a time and paced while the service throttles), and reassembled in
// page order, so the result equals a sequential read. Records are
// de-duplicated by op.Key, first occurrence winning. Any page failing
// after its retries fails the whole listing: a partial list is never
// returned as if complete. A listing that comes up short is counted again
// once, and says so in its Anomalies when the count still disagrees.
func List[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], req Req, opts ListOptions) (*Listing[T], error) {
	if opts.PageSize < 0 || opts.MaxResults < 0 || opts.MaxConcurrency < 0 {
		return nil, fmt.Errorf("listing %s: PageSize, MaxResults and MaxConcurrency must not be negative", op.Action)
	}
	reqs := []Req{req}
	if op.Split != nil {
		reqs = op.Split(req)
	}
	if len(reqs) == 1 {
		params, err := op.params(reqs[0])
		if err != nil {
			return nil, err
		}
		return listPages(ctx, c, op, params, opts)
	}
	return listSplit(ctx, c, op, reqs, opts)
}

// ListEach lists the query of each request, the listings concurrently
// under the client's limits, and returns them in the order of reqs. Every
// request is checked before any is sent; the first failure cancels the
// others and fails the whole.
func ListEach[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], reqs []Req, opts ListOptions) ([]*Listing[T], error) {
	for _, req := range reqs {
		if _, err := op.params(req); err != nil {
			return nil, err
		}
	}
	out := make([]*Listing[T], len(reqs))
	err := c.fanOut(ctx, opts.MaxConcurrency, len(reqs), func(ctx context.Context, k int) (bool, error) {
		listing, err := List(ctx, c, op, reqs[k], opts)
		out[k] = listing
		return true, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listSplit reads the requests one after the other and merges their
// listings: records in order, counts summed. With MaxResults, a request
// reached after the limit is still asked for one record, so that
// TotalCount stays the sum over every request.
func listSplit[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], reqs []Req, opts ListOptions) (*Listing[T], error) {
	params := make([]map[string]string, len(reqs))
	for k, req := range reqs {
		p, err := op.params(req)
		if err != nil {
			return nil, err // a bad later request must not let earlier ones be sent
		}
		params[k] = p
	}
	merged := &Listing[T]{Action: op.Action, Noun: op.Noun, Items: []T{}}
	for k := range params {
		o := opts
		remaining := opts.MaxResults - len(merged.Items)
		if opts.MaxResults > 0 {
			o.MaxResults = max(remaining, 1)
		}
		l, err := listPages(ctx, c, op, params[k], o)
		if err != nil {
			return nil, fmt.Errorf("request %d of %d: %w", k+1, len(params), err)
		}
		if opts.MaxResults > 0 {
			l.Items = l.Items[:min(len(l.Items), max(remaining, 0))]
		}
		merged.merge(l)
	}
	return merged, nil
}

// merge adds a listing of another part of the same query: records in
// order, counts summed, the smallest page size served kept.
func (l *Listing[T]) merge(part *Listing[T]) {
	l.Items = append(l.Items, part.Items...)
	l.TotalCount += part.TotalCount
	l.Requests += part.Requests
	l.Retries += part.Retries
	l.Duplicates += part.Duplicates
	l.RequestIDs = append(l.RequestIDs, part.RequestIDs...)
	l.Anomalies = append(l.Anomalies, part.Anomalies...)
	if l.PageSize == 0 {
		l.PageSize = part.PageSize
	} else {
		l.PageSize = min(l.PageSize, part.PageSize)
	}
}

// listPages reads the pages of one request.
func listPages[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], params map[string]string, opts ListOptions) (*Listing[T], error) {
	requestSize := opts.PageSize
	if requestSize == 0 {
		requestSize = MaxPageSize
	}
	if opts.MaxResults > 0 {
		requestSize = min(requestSize, opts.MaxResults)
	}
	var retries atomic.Int64
	f := &pageFetcher[Req, T]{client: c, op: op, params: params, observe: func(error) { retries.Add(1) }}

	first, err := f.request(ctx, 1, requestSize)
	if err != nil {
		return nil, err
	}
	plan := planPages(first, requestSize, opts.MaxResults)
	f.pageSize = plan.pageSize
	f.progress = &progressReporter{fn: opts.OnPage, pages: plan.pages, total: plan.total}
	f.pages = map[int]*Page[T]{1: first}
	f.progress.report(1, len(first.Items))

	if err := f.fetch(ctx, plan.pages, opts.MaxConcurrency); err != nil {
		return nil, err
	}
	unfinished, err := f.followGrowth(ctx, plan)
	if err != nil {
		return nil, err
	}
	listing := assemble(f.ordered(), plan, op)
	if unfinished { // not all of them, then: the pages had not ended
		listing.Anomalies = slices.DeleteFunc(listing.Anomalies, func(a Anomaly) bool { return a.Kind == AnomalyExceeded })
		listing.Anomalies = append(listing.Anomalies, Anomaly{Kind: AnomalyUnfinished, Reported: plan.total, Seen: len(listing.Items) + listing.Duplicates})
	}
	listing.Retries = int(retries.Load())
	if listing.Short() {
		if err := f.recount(ctx, listing, plan); err != nil {
			return nil, err
		}
	}
	return listing, nil
}

// pageQuery returns params plus the paging parameters the SAS list
// operations share.
func pageQuery(params map[string]string, page, size int) map[string]string {
	q := maps.Clone(params)
	if q == nil {
		q = map[string]string{}
	}
	q["CurrentPage"] = strconv.Itoa(page)
	q["PageSize"] = strconv.Itoa(size)
	return q
}

// pagePlan is what the first page tells us about the rest.
type pagePlan struct {
	total      int // TotalCount of the first page
	maxResults int // 0: no limit
	pageSize   int // page size the service serves
	pages      int // pages to request, the first included
}

func planPages[T any](first *Page[T], requested, maxResults int) pagePlan {
	total := int(first.TotalCount.Value)
	got := len(first.Items)
	size := requested
	if served := first.PageSize; served.Valid && served.Value > 0 && served.Value < int64(size) {
		size = int(served.Value)
	} else if got > 0 && got < total {
		// A page that is not the last, shorter than asked: the service
		// capped it without saying so (no PageSize, or the requested one
		// echoed).
		size = min(size, got)
	}
	pages := 1 // an empty first page ends the listing
	if got > 0 {
		pages = max((wanted(total, maxResults)-1)/size+1, 1) // no overflow, whatever TotalCount says
	}
	return pagePlan{total: total, maxResults: maxResults, pageSize: size, pages: pages}
}

// wanted is how many records a listing sets out to read.
func wanted(total, maxResults int) int {
	if maxResults > 0 {
		return min(total, maxResults)
	}
	return total
}

// pageFetcher fetches pages concurrently into a map keyed by page number:
// a map, not a slice sized by TotalCount, so an absurd count costs nothing
// once pages run out.
type pageFetcher[Req, T any] struct {
	client   *Client
	op       Operation[Req, T]
	params   map[string]string
	pageSize int
	observe  retryObserver
	progress *progressReporter

	mu    sync.Mutex
	pages map[int]*Page[T]
}

// request sends one page request, with retries. An answer without a
// TotalCount is not an answer of a listing: it is retried as unreadable.
func (f *pageFetcher[Req, T]) request(ctx context.Context, page, size int) (*Page[T], error) {
	var p Page[T]
	err := f.client.call(ctx, f.op.Action, pageQuery(f.params, page, size), f.observe, func(body []byte) error {
		var err error
		if p, err = f.op.Read(body); err != nil {
			return err
		}
		return checkTotalCount(p.TotalCount, len(body))
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// fetch requests pages 2..last (none when last is 1), at most concurrency
// at a time; an empty page means no later page is needed.
func (f *pageFetcher[Req, T]) fetch(ctx context.Context, last, concurrency int) error {
	return f.client.fanOut(ctx, concurrency, last-1, func(ctx context.Context, k int) (bool, error) {
		p, err := f.get(ctx, k+2)
		if err != nil {
			return false, err
		}
		return len(p.Items) > 0, nil
	})
}

// get fetches one later page and stores it.
func (f *pageFetcher[Req, T]) get(ctx context.Context, page int) (*Page[T], error) {
	p, err := f.request(ctx, page, f.pageSize)
	if err != nil {
		return nil, fmt.Errorf("page %d: %w", page, err)
	}
	f.mu.Lock()
	f.pages[page] = p
	f.mu.Unlock()
	f.progress.report(page, len(p.Items))
	return p, nil
}

// followGrowth reads on, one page at a time, while the service shows it
// holds more records than its first TotalCount: more records arrived than
// announced, or a later page announced more, and the last page was full.
// It stops at the first short page, at MaxResults, or after as many extra
// pages as were planned (plus a margin), so it always ends; it reports
// whether it stopped at that bound with the pages still full.
func (f *pageFetcher[Req, T]) followGrowth(ctx context.Context, plan pagePlan) (unfinished bool, err error) {
	last := len(f.pages)
	for extra := 0; ; extra++ {
		received, maxTotal := 0, plan.total
		for _, p := range f.pages {
			received += len(p.Items)
			maxTotal = max(maxTotal, int(p.TotalCount.Value))
		}
		lastPage := f.pages[last]
		grew := received > plan.total || maxTotal > plan.total
		if !grew || lastPage == nil || len(lastPage.Items) < f.pageSize ||
			(plan.maxResults > 0 && received >= plan.maxResults) {
			return false, nil
		}
		if extra == plan.pages+10 {
			return true, nil
		}
		last++
		if _, err := f.get(ctx, last); err != nil {
			return false, err
		}
	}
}

// recount asks the service for its count once more, for a listing that
// came up short: when it now counts no more records than were received,
// records were removed during the read and the listing agrees with the
// later count (a change of count it reports as such); otherwise it stays
// short, measured against the later count.
func (f *pageFetcher[Req, T]) recount(ctx context.Context, l *Listing[T], plan pagePlan) error {
	p, err := f.request(ctx, 1, 1)
	if err != nil {
		return fmt.Errorf("counting again: %w", err)
	}
	l.Requests++
	l.RequestIDs = append(l.RequestIDs, p.RequestID)
	recount := int(p.TotalCount.Value)
	k := slices.IndexFunc(l.Anomalies, func(a Anomaly) bool { return a.Kind == AnomalyShort })
	if l.Anomalies[k].Seen < wanted(recount, plan.maxResults) {
		l.Anomalies[k].Reported = wanted(recount, plan.maxResults)
		return nil
	}
	l.Anomalies = slices.Delete(l.Anomalies, k, k+1)
	if !slices.ContainsFunc(l.Anomalies, func(a Anomaly) bool { return a.Kind == AnomalyCountChanged }) {
		l.Anomalies = append(l.Anomalies, Anomaly{Kind: AnomalyCountChanged, Reported: plan.total, Seen: recount})
	}
	return nil
}

// ordered returns the fetched pages in page order, up to the first gap.
func (f *pageFetcher[Req, T]) ordered() []*Page[T] {
	out := make([]*Page[T], 0, len(f.pages))
	for page := 1; ; page++ {
		p, ok := f.pages[page]
		if !ok {
			return out
		}
		out = append(out, p)
	}
}

// assemble concatenates the pages in order, drops repeated keys, stops at
// MaxResults and records any inconsistency it saw.
func assemble[Req, T any](pages []*Page[T], plan pagePlan, op Operation[Req, T]) *Listing[T] {
	received := 0
	for _, p := range pages {
		received += len(p.Items)
	}
	limit := received
	if plan.maxResults > 0 {
		limit = min(limit, plan.maxResults)
	}
	listing := &Listing[T]{Action: op.Action, Noun: op.Noun, TotalCount: plan.total, PageSize: plan.pageSize,
		Items: make([]T, 0, limit), RequestIDs: make([]string, 0, len(pages))}
	seen := make(map[string]struct{}, limit)
	laterTotal := plan.total // the first TotalCount that differs from the first page's
	for i, page := range pages {
		listing.Requests++
		listing.RequestIDs = append(listing.RequestIDs, page.RequestID)
		if t := int(page.TotalCount.Value); t != plan.total && laterTotal == plan.total {
			laterTotal = t
		}
		for k := range page.Items {
			if len(listing.Items) == limit {
				break
			}
			item := &page.Items[k]
			if op.Key != nil {
				if key, ok := op.Key(item); ok {
					if _, dup := seen[key]; dup {
						listing.Duplicates++
						continue
					}
					seen[key] = struct{}{}
				}
			}
			listing.Items = append(listing.Items, *item)
		}
		pages[i] = nil // let the page go as soon as it is copied
	}
	listing.Anomalies = anomalies(listing.Duplicates, len(listing.Items), plan, laterTotal)
	return listing
}

func anomalies(duplicates, kept int, plan pagePlan, laterTotal int) []Anomaly {
	var found []Anomaly
	if laterTotal != plan.total {
		found = append(found, Anomaly{Kind: AnomalyCountChanged, Reported: plan.total, Seen: laterTotal})
	}
	if duplicates > 0 {
		found = append(found, Anomaly{Kind: AnomalyRepeated, Reported: plan.total, Seen: duplicates})
	}
	want := wanted(plan.total, plan.maxResults)
	if got := kept + duplicates; got < want {
		found = append(found, Anomaly{Kind: AnomalyShort, Reported: want, Seen: kept})
	} else if got > plan.total && plan.maxResults == 0 {
		found = append(found, Anomaly{Kind: AnomalyExceeded, Reported: plan.total, Seen: got})
	}
	return found
}

// progressReporter counts records across concurrently fetched pages.
type progressReporter struct {
	fn    func(PageProgress)
	pages int
	total int
	items atomic.Int64
}

func (p *progressReporter) report(page, n int) {
	sofar := p.items.Add(int64(n))
	if p.fn != nil {
		p.fn(PageProgress{Page: page, Pages: p.pages, Items: int(sofar), TotalCount: p.total})
	}
}
