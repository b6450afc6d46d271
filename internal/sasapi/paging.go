package sasapi

import (
	"context"
	"fmt"
	"maps"
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

// Listing is the complete, ordered, de-duplicated result of a query.
type Listing[T any] struct {
	Items []T
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
	// Warnings explain anything the caller should tell the user: the
	// listing changed while it was read, or the service returned fewer
	// records than it announced.
	Warnings []string
}

// Page is what a list operation reads from one response.
type Page[T any] struct {
	Items []T
	// TotalCount is the number of matching records the response reports;
	// decoders reject a response without one (see checkTotalCount).
	TotalCount int
	// PageSize is the page size the response says it served, if it says.
	PageSize Int
}

// PagedOperation describes one list operation of the service to List.
type PagedOperation[T any] struct {
	Action string
	// Query returns the request parameters of page page (1-based) of size
	// records, paging parameters included.
	Query func(page, size int) map[string]string
	// Decode reads one response body.
	Decode func(body []byte) (Page[T], error)
	// Key identifies a record for de-duplication; ok false keeps the
	// record whatever it holds.
	Key func(item *T) (key string, ok bool)
	// Noun names the records in warnings, in the plural: "images".
	Noun string
}

// List reads every page of an operation (or as many as MaxResults needs).
// The first page reveals TotalCount; the remaining pages are fetched
// concurrently, under the client's shared limits (fewer at a time and paced
// while the service throttles), and reassembled in page order, so the result equals a sequential read.
// Records are de-duplicated by op.Key, first occurrence winning. Any page
// failing after its retries fails the whole listing: a partial list is
// never returned as if complete.
func List[T any](ctx context.Context, c *Client, op PagedOperation[T], opts ListOptions) (*Listing[T], error) {
	if opts.PageSize < 0 || opts.MaxResults < 0 || opts.MaxConcurrency < 0 {
		return nil, fmt.Errorf("listing %s: PageSize, MaxResults and MaxConcurrency must not be negative", op.Action)
	}
	requestSize := opts.PageSize
	if requestSize == 0 {
		requestSize = MaxPageSize
	}
	if opts.MaxResults > 0 {
		requestSize = min(requestSize, opts.MaxResults)
	}
	concurrency := opts.MaxConcurrency
	if concurrency == 0 {
		concurrency = c.cfg.MaxConcurrency
	}

	var retries atomic.Int64
	f := &pageFetcher[T]{client: c, op: op, observe: func(error) { retries.Add(1) }}

	first, err := f.request(ctx, 1, requestSize)
	if err != nil {
		return nil, err
	}
	plan := planPages(first, requestSize, opts.MaxResults)
	f.pageSize = plan.pageSize
	f.progress = &progressReporter{fn: opts.OnPage, pages: plan.pages, total: plan.total}
	f.pages = map[int]*Page[T]{1: first}
	f.progress.report(1, len(first.Items))

	if err := f.fetch(ctx, plan.pages, concurrency); err != nil {
		return nil, err
	}
	if err := f.followGrowth(ctx, plan); err != nil {
		return nil, err
	}

	listing := assemble(f.ordered(), plan, op)
	listing.Retries = int(retries.Load())
	return listing, nil
}

// pageQuery returns base plus the paging parameters the SAS list
// operations share.
func pageQuery(base map[string]string, page, size int) map[string]string {
	q := maps.Clone(base)
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
	total := first.TotalCount
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
	want := total
	if maxResults > 0 {
		want = min(want, maxResults)
	}
	pages := 1 // an empty first page ends the listing
	if got > 0 {
		pages = max((want-1)/size+1, 1) // no overflow, whatever TotalCount says
	}
	return pagePlan{total: total, maxResults: maxResults, pageSize: size, pages: pages}
}

// pageFetcher fetches pages concurrently into a map keyed by page number:
// a map, not a slice sized by TotalCount, so an absurd count costs nothing
// once pages run out.
type pageFetcher[T any] struct {
	client   *Client
	op       PagedOperation[T]
	pageSize int
	observe  retryObserver
	progress *progressReporter

	mu     sync.Mutex
	pages  map[int]*Page[T]
	next   atomic.Int64 // last page number handed out
	stopAt atomic.Int64 // first page that came back empty: later ones are skipped
}

// request sends one page request, with retries.
func (f *pageFetcher[T]) request(ctx context.Context, page, size int) (*Page[T], error) {
	var p Page[T]
	err := f.client.call(ctx, f.op.Action, f.op.Query(page, size), f.observe, func(body []byte) error {
		var decodeErr error
		p, decodeErr = f.op.Decode(body)
		return decodeErr
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// fetch requests pages 2..last (none when last is 1), at most concurrency
// at a time.
func (f *pageFetcher[T]) fetch(ctx context.Context, last, concurrency int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	f.next.Store(1)
	f.stopAt.Store(int64(last) + 1)

	// Workers beyond the pages left find none and return.
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			if err := f.work(ctx); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

func (f *pageFetcher[T]) work(ctx context.Context) error {
	for {
		page := int(f.next.Add(1))
		if int64(page) >= f.stopAt.Load() {
			return nil
		}
		p, err := f.get(ctx, page)
		if err != nil {
			return err
		}
		if len(p.Items) == 0 {
			f.lowerStop(int64(page))
		}
	}
}

// get fetches one later page and stores it.
func (f *pageFetcher[T]) get(ctx context.Context, page int) (*Page[T], error) {
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

// lowerStop sets stopAt to page if that is lower, atomically.
func (f *pageFetcher[T]) lowerStop(page int64) {
	for {
		cur := f.stopAt.Load()
		if f.stopAt.CompareAndSwap(cur, min(cur, page)) {
			return
		}
	}
}

// followGrowth reads on, one page at a time, while the service shows it
// holds more records than its first TotalCount: more records arrived than
// announced, or a later page announced more, and the last page was full.
// It stops at the first short page, at MaxResults, or after as many extra
// pages as were planned (plus a margin), so it always ends.
func (f *pageFetcher[T]) followGrowth(ctx context.Context, plan pagePlan) error {
	last := len(f.pages)
	for extra := 0; extra < plan.pages+10; extra++ {
		received, maxTotal := 0, plan.total
		for _, p := range f.pages {
			received += len(p.Items)
			maxTotal = max(maxTotal, p.TotalCount)
		}
		lastPage := f.pages[last]
		grew := received > plan.total || maxTotal > plan.total
		if !grew || lastPage == nil || len(lastPage.Items) < f.pageSize ||
			(plan.maxResults > 0 && received >= plan.maxResults) {
			return nil
		}
		last++
		if _, err := f.get(ctx, last); err != nil {
			return err
		}
	}
	return nil
}

// ordered returns the fetched pages in page order, up to the first gap.
func (f *pageFetcher[T]) ordered() []*Page[T] {
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
// MaxResults and explains any inconsistency it saw.
func assemble[T any](pages []*Page[T], plan pagePlan, op PagedOperation[T]) *Listing[T] {
	received := 0
	for _, p := range pages {
		received += len(p.Items)
	}
	limit := received
	if plan.maxResults > 0 {
		limit = min(limit, plan.maxResults)
	}
	listing := &Listing[T]{TotalCount: plan.total, PageSize: plan.pageSize, Items: make([]T, 0, limit)}
	seen := make(map[string]struct{}, limit)
	var laterTotal *int // the first TotalCount that differs from the first page's
	for i, page := range pages {
		listing.Requests++
		if t := page.TotalCount; t != plan.total && laterTotal == nil {
			laterTotal = &t
		}
		for k := range page.Items {
			if len(listing.Items) == limit {
				break
			}
			item := &page.Items[k]
			if key, ok := op.Key(item); ok {
				if _, dup := seen[key]; dup {
					listing.Duplicates++
					continue
				}
				seen[key] = struct{}{}
			}
			listing.Items = append(listing.Items, *item)
		}
		pages[i] = nil // let the page go as soon as it is copied
	}
	listing.Warnings = consistencyWarnings(listing.Duplicates, len(listing.Items), plan, laterTotal, op.Noun)
	return listing
}

func consistencyWarnings(duplicates, kept int, plan pagePlan, laterTotal *int, noun string) []string {
	var warnings []string
	if laterTotal != nil {
		warnings = append(warnings, fmt.Sprintf("The listing of %s changed during the read: the service reported %d matching %s on the first page and %d on a later one. Records added or removed meanwhile may be missing from the result; run again for a consistent view.", noun, plan.total, noun, *laterTotal))
	}
	if duplicates > 0 {
		warnings = append(warnings, fmt.Sprintf("The listing of %s changed during the read: %d record(s) appeared on two pages and were kept once (records were added or removed between pages).", noun, duplicates))
	}
	want := plan.total
	if plan.maxResults > 0 {
		want = min(want, plan.maxResults)
	}
	if got := kept + duplicates; got < want {
		warnings = append(warnings, fmt.Sprintf("The service reported %d matching %s but returned only %d before its pages ran out; the result may be incomplete.", want, noun, kept))
	} else if got > plan.total && plan.maxResults == 0 {
		warnings = append(warnings, fmt.Sprintf("The listing of %s changed during the read: the service returned %d, more than the %d it reported; all of them are in the result.", noun, got, plan.total))
	}
	return warnings
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
