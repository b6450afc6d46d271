package sasapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ListOptions controls how ListImageInstances pages through a query.
type ListOptions struct {
	// PageSize is requested of the service (default MaxPageSize). The
	// service may cap it; paging follows the size it actually serves.
	PageSize int
	// MaxResults stops the listing after this many images; 0 means all.
	MaxResults int
	// MaxConcurrency bounds the pages in flight; 0 uses the client's.
	MaxConcurrency int
	// OnPage is called after each page arrives, from the fetching
	// goroutine: it must be safe for concurrent use.
	OnPage func(PageProgress)
}

// PageProgress reports one fetched page.
type PageProgress struct {
	Page       int // 1-based page number
	Pages      int // pages the listing needs
	Images     int // images received so far, all pages together
	TotalCount int // the service's TotalCount on the first page
}

// Listing is the complete, ordered, de-duplicated result of a query.
type Listing struct {
	Images []ImageInstance
	// TotalCount is what the service reported for the query on the first
	// page, even when MaxResults cut the list short.
	TotalCount int
	// PageSize is the page size the service actually served.
	PageSize int
	// Requests counts successful page requests; Retries the failed
	// attempts that were retried.
	Requests int
	Retries  int
	// Duplicates counts records dropped because their Uuid was seen before.
	Duplicates int
	// Warnings explain anything the caller should tell the user: the
	// listing changed while it was read, or the service returned fewer
	// records than it announced.
	Warnings []string
}

// ListImageInstances reads every page of a query (or as many as MaxResults
// needs). The first page reveals TotalCount; the remaining pages are fetched
// concurrently, fewer at a time while the service throttles, and reassembled
// in page order, so the result equals a sequential read. Images are
// de-duplicated by Uuid, first occurrence winning. Any page failing after
// its retries fails the whole listing: a partial list is never returned as
// if complete.
func (c *Client) ListImageInstances(ctx context.Context, query ImageQuery, opts ListOptions) (*Listing, error) {
	if opts.PageSize < 0 || opts.MaxResults < 0 || opts.MaxConcurrency < 0 {
		return nil, errors.New("ListImageInstances: PageSize, MaxResults and MaxConcurrency must not be negative")
	}
	requestSize := opts.PageSize
	if requestSize == 0 {
		requestSize = MaxPageSize
	}
	if opts.MaxResults > 0 && opts.MaxResults < requestSize {
		requestSize = opts.MaxResults
	}
	concurrency := opts.MaxConcurrency
	if concurrency == 0 {
		concurrency = c.cfg.MaxConcurrency
	}

	var retries atomic.Int64
	limiter := newConcurrencyLimiter(concurrency)
	observe := func(err error) {
		retries.Add(1)
		if IsThrottling(err) {
			limiter.throttled()
		}
	}

	first, err := c.describeImageInstances(ctx, DescribeImageInstancesRequest{ImageQuery: query, CurrentPage: 1, PageSize: requestSize}, observe)
	if err != nil {
		return nil, err
	}
	plan := planPages(first, requestSize, opts.MaxResults)
	progress := &progressReporter{fn: opts.OnPage, pages: plan.pages, total: plan.total}
	progress.report(1, len(first.ImageInstanceList))

	f := &pageFetcher{client: c, query: query, pageSize: plan.pageSize, limiter: limiter, observe: observe, progress: progress, pages: map[int]*DescribeImageInstancesResponse{1: first}}
	if plan.pages > 1 {
		if err := f.fetch(ctx, plan.pages, concurrency); err != nil {
			return nil, err
		}
	}
	if err := f.followGrowth(ctx, plan); err != nil {
		return nil, err
	}

	listing := assemble(f.ordered(), plan)
	listing.Retries = int(retries.Load())
	return listing, nil
}

// pagePlan is what the first page tells us about the rest.
type pagePlan struct {
	total      int // TotalCount of the first page
	maxResults int // 0: no limit
	pageSize   int // page size the service serves
	pages      int // pages to request, the first included
}

func planPages(first *DescribeImageInstancesResponse, requested, maxResults int) pagePlan {
	total := int(first.PageInfo.TotalCount.Value)
	got := len(first.ImageInstanceList)
	size := requested
	if served := first.PageInfo.PageSize; served.Valid {
		if served.Value > 0 && int(served.Value) < size {
			size = int(served.Value)
		}
	} else if got > 0 && got < size && got < total {
		// The service capped the page without saying so.
		size = got
	}
	want := total
	if maxResults > 0 && maxResults < want {
		want = maxResults
	}
	pages := 1
	if got > 0 && want > size {
		pages = (want-1)/size + 1 // no overflow, whatever TotalCount says
	}
	return pagePlan{total: total, maxResults: maxResults, pageSize: size, pages: pages}
}

// pageFetcher fetches pages concurrently into a map keyed by page number:
// a map, not a slice sized by TotalCount, so an absurd count costs nothing
// once pages run out.
type pageFetcher struct {
	client   *Client
	query    ImageQuery
	pageSize int
	limiter  *concurrencyLimiter
	observe  retryObserver
	progress *progressReporter

	mu     sync.Mutex
	pages  map[int]*DescribeImageInstancesResponse
	next   atomic.Int64 // last page number handed out
	stopAt atomic.Int64 // first page that came back empty: later ones are skipped
}

// fetch requests pages 2..last, at most concurrency at a time.
func (f *pageFetcher) fetch(ctx context.Context, last, concurrency int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	f.next.Store(1)
	f.stopAt.Store(int64(last) + 1)

	workers := min(concurrency, last-1)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			if err := f.work(ctx); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

func (f *pageFetcher) work(ctx context.Context) error {
	for {
		page := int(f.next.Add(1))
		if int64(page) >= f.stopAt.Load() {
			return nil
		}
		if err := f.limiter.acquire(ctx); err != nil {
			return context.Cause(ctx)
		}
		resp, err := f.get(ctx, page)
		f.limiter.release(err == nil)
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
				return cause
			}
			return err
		}
		if len(resp.ImageInstanceList) == 0 {
			f.lowerStop(int64(page))
		}
	}
}

func (f *pageFetcher) get(ctx context.Context, page int) (*DescribeImageInstancesResponse, error) {
	resp, err := f.client.describeImageInstances(ctx, DescribeImageInstancesRequest{ImageQuery: f.query, CurrentPage: page, PageSize: f.pageSize}, f.observe)
	if err != nil {
		return nil, fmt.Errorf("page %d: %w", page, err)
	}
	f.mu.Lock()
	f.pages[page] = resp
	f.mu.Unlock()
	f.progress.report(page, len(resp.ImageInstanceList))
	return resp, nil
}

func (f *pageFetcher) lowerStop(page int64) {
	for {
		cur := f.stopAt.Load()
		if page >= cur || f.stopAt.CompareAndSwap(cur, page) {
			return
		}
	}
}

// followGrowth reads on, one page at a time, while the service shows it
// holds more images than its first TotalCount: more records arrived than
// announced, or a later page announced more, and the last page was full.
// It stops at the first short page, at MaxResults, or after as many extra
// pages as were planned (plus a margin), so it always ends.
func (f *pageFetcher) followGrowth(ctx context.Context, plan pagePlan) error {
	last := len(f.pages)
	for extra := 0; extra < plan.pages+10; extra++ {
		received, maxTotal := 0, plan.total
		for _, p := range f.pages {
			received += len(p.ImageInstanceList)
			maxTotal = max(maxTotal, int(p.PageInfo.TotalCount.Value))
		}
		lastPage := f.pages[last]
		grew := received > plan.total || maxTotal > plan.total
		if !grew || lastPage == nil || len(lastPage.ImageInstanceList) < f.pageSize ||
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
func (f *pageFetcher) ordered() []*DescribeImageInstancesResponse {
	out := make([]*DescribeImageInstancesResponse, 0, len(f.pages))
	for page := 1; ; page++ {
		p, ok := f.pages[page]
		if !ok {
			return out
		}
		out = append(out, p)
	}
}

// assemble concatenates the pages in order, drops repeated Uuids, stops at
// MaxResults and explains any inconsistency it saw.
func assemble(pages []*DescribeImageInstancesResponse, plan pagePlan) *Listing {
	received := 0
	for _, p := range pages {
		received += len(p.ImageInstanceList)
	}
	limit := received
	if plan.maxResults > 0 {
		limit = min(limit, plan.maxResults)
	}
	listing := &Listing{TotalCount: plan.total, PageSize: plan.pageSize, Images: make([]ImageInstance, 0, limit)}
	seen := make(map[string]struct{}, limit)
	totalChanged := -1
	for i, page := range pages {
		listing.Requests++
		if t := int(page.PageInfo.TotalCount.Value); t != plan.total && totalChanged < 0 {
			totalChanged = t
		}
		for k := range page.ImageInstanceList {
			if len(listing.Images) == limit {
				break
			}
			img := &page.ImageInstanceList[k]
			if img.Uuid.Valid {
				if _, dup := seen[img.Uuid.Value]; dup {
					listing.Duplicates++
					continue
				}
				seen[img.Uuid.Value] = struct{}{}
			}
			listing.Images = append(listing.Images, *img)
		}
		pages[i] = nil // let the page go as soon as it is copied
	}
	listing.Warnings = consistencyWarnings(listing, plan, totalChanged)
	return listing
}

func consistencyWarnings(l *Listing, plan pagePlan, totalChanged int) []string {
	var warnings []string
	if totalChanged >= 0 {
		warnings = append(warnings, fmt.Sprintf("The image listing changed during the read: the service reported %d matching images on the first page and %d on a later one. Images added or removed meanwhile may be missing from the result; run again for a consistent view.", plan.total, totalChanged))
	}
	if l.Duplicates > 0 {
		warnings = append(warnings, fmt.Sprintf("The image listing changed during the read: %d image(s) appeared on two pages and were kept once (records were added or removed between pages).", l.Duplicates))
	}
	want := plan.total
	if plan.maxResults > 0 {
		want = min(want, plan.maxResults)
	}
	switch got := len(l.Images) + l.Duplicates; {
	case got < want:
		warnings = append(warnings, fmt.Sprintf("The service reported %d matching images but returned only %d before its pages ran out; the result may be incomplete.", want, len(l.Images)))
	case got > plan.total && plan.maxResults == 0:
		warnings = append(warnings, fmt.Sprintf("The image listing changed during the read: the service returned %d images, more than the %d it reported; all of them are in the result.", got, plan.total))
	}
	return warnings
}

// progressReporter counts images across concurrently fetched pages.
type progressReporter struct {
	fn     func(PageProgress)
	pages  int
	total  int
	images atomic.Int64
}

func (p *progressReporter) report(page, n int) {
	sofar := p.images.Add(int64(n))
	if p.fn != nil {
		p.fn(PageProgress{Page: page, Pages: p.pages, Images: int(sofar), TotalCount: p.total})
	}
}
