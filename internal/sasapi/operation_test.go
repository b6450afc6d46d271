package sasapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Read takes the fast route's answer when it has one and encoding/json's
// otherwise, whose answer then stands, error included.
func TestOperationReadFallsBackToDecode(t *testing.T) {
	fast := func(items ...int) func([]byte) (Page[int], error) {
		return func([]byte) (Page[int], error) { return Page[int]{Items: items, RequestID: "fast"}, nil }
	}
	decode := func([]byte) (Page[int], error) { return Page[int]{Items: []int{2}, RequestID: "decode"}, nil }
	declines := func([]byte) (Page[int], error) { return Page[int]{Items: []int{9}}, errNotFastPath }
	fails := func([]byte) (Page[int], error) { return Page[int]{}, errors.New("unreadable") }
	cases := []struct {
		name     string
		op       Operation[struct{}, int]
		want     Page[int]
		wantFail bool
	}{
		{"no fast route", Operation[struct{}, int]{Decode: decode}, Page[int]{Items: []int{2}, RequestID: "decode"}, false},
		{"the fast route answers", Operation[struct{}, int]{Decode: decode, FastDecode: fast(1)}, Page[int]{Items: []int{1}, RequestID: "fast"}, false},
		{"the fast route declines", Operation[struct{}, int]{Decode: decode, FastDecode: declines}, Page[int]{Items: []int{2}, RequestID: "decode"}, false},
		{"both fail", Operation[struct{}, int]{Decode: fails, FastDecode: declines}, Page[int]{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.op.Read([]byte(`{}`))
			if (err != nil) != tc.wantFail || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Read = %+v, %v; want %+v (error: %v)", got, err, tc.want, tc.wantFail)
			}
		})
	}
}

// Every operation is complete: an action, a noun for messages, parameters
// and a reference decoder.
func TestOperationsAreComplete(t *testing.T) {
	type described struct {
		action, noun   string
		params, decode bool
	}
	ops := []described{
		{DescribeImageInstances.Action, DescribeImageInstances.Noun, DescribeImageInstances.Params != nil, DescribeImageInstances.Decode != nil},
		{DescribeImageCriteria.Action, DescribeImageCriteria.Noun, DescribeImageCriteria.Params != nil, DescribeImageCriteria.Decode != nil},
		{DescribeImageBaselineCheckResult.Action, DescribeImageBaselineCheckResult.Noun, DescribeImageBaselineCheckResult.Params != nil, DescribeImageBaselineCheckResult.Decode != nil},
		{DescribeImageBaselineItemList.Action, DescribeImageBaselineItemList.Noun, DescribeImageBaselineItemList.Params != nil, DescribeImageBaselineItemList.Decode != nil},
		{DescribeImageVulList.Action, DescribeImageVulList.Noun, DescribeImageVulList.Params != nil, DescribeImageVulList.Decode != nil},
		{DescribeVulDetails.Action, DescribeVulDetails.Noun, DescribeVulDetails.Params != nil, DescribeVulDetails.Decode != nil},
		{PublicCreateImageScanTask.Action, PublicCreateImageScanTask.Noun, PublicCreateImageScanTask.Params != nil, PublicCreateImageScanTask.Decode != nil},
		{DescribeImageLatestScanTask.Action, DescribeImageLatestScanTask.Noun, DescribeImageLatestScanTask.Params != nil, DescribeImageLatestScanTask.Decode != nil},
	}
	for _, op := range ops {
		if op.action == "" || op.noun == "" || !op.params || !op.decode {
			t.Errorf("%+v: want an action, a noun, Params and Decode", op)
		}
	}
	// The two hot paths keep their hand-written decoders.
	if DescribeImageInstances.FastDecode == nil || DescribeImageVulList.FastDecode == nil {
		t.Error("a hand-written decoder is no longer wired in")
	}
}

// eachService answers DescribeImageBaselineItemList with one item per
// query, named after its BaselineNameKey, the earlier queries later (a
// delay per position in keys), and denies one key.
type eachService struct {
	keys    []string
	denyKey string

	mu   sync.Mutex
	seen []string
}

func (s *eachService) serveHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("BaselineNameKey")
	s.mu.Lock()
	s.seen = append(s.seen, key)
	s.mu.Unlock()
	if key == s.denyKey {
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprint(w, `{"RequestId":"D","Code":"NoPermission","Message":"caller has no permission"}`)
		return
	}
	if k := slices.Index(s.keys, key); k >= 0 {
		time.Sleep(time.Duration(len(s.keys)-k) * 5 * time.Millisecond)
	}
	_, _ = fmt.Fprintf(w, `{"RequestId":"R-%s","PageInfo":{"TotalCount":1},"BaselineItemInfos":[{"BaselineNameKey":%q,"BaselineItemKey":"item"}]}`, key, key)
}

// CallEach and ListEach answer in the order of the requests whatever the
// order of the answers, all or nothing: the first failure fails the whole,
// and a bad request fails it before anything is sent.
func TestEachAnswersInOrderAllOrNothing(t *testing.T) {
	eaches := map[string]func(ctx context.Context, c *Client, queries []ImageBaselineItemQuery) (keys, requestIDs []string, err error){
		"CallEach": func(ctx context.Context, c *Client, queries []ImageBaselineItemQuery) ([]string, []string, error) {
			pages, err := CallEach(ctx, c, DescribeImageBaselineItemList, queries)
			if pages == nil {
				return nil, nil, err
			}
			var keys, ids []string
			for _, p := range pages {
				for _, item := range p.Items {
					keys = append(keys, item.BaselineNameKey.Value)
				}
				ids = append(ids, p.RequestID)
			}
			return keys, ids, err
		},
		"ListEach": func(ctx context.Context, c *Client, queries []ImageBaselineItemQuery) ([]string, []string, error) {
			listings, err := ListEach(ctx, c, DescribeImageBaselineItemList, queries, ListOptions{})
			if listings == nil {
				return nil, nil, err
			}
			var keys, ids []string
			for _, l := range listings {
				for _, item := range l.Items {
					keys = append(keys, item.BaselineNameKey.Value)
				}
				ids = append(ids, l.RequestIDs...)
			}
			return keys, ids, err
		},
	}
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5"}
	good := perBaseline(ImageBaselineItemQuery{ImageUuid: "u"}, keys...)
	cases := []struct {
		name        string
		queries     []ImageBaselineItemQuery
		limit       int // the client's MaxConcurrency
		denyKey     string
		wantKeys    []string
		wantSent    []string // the keys asked for, in order (limit 1) or as a set
		wantFailure bool
	}{
		{name: "answers in request order, the last first", queries: good, limit: 3, wantKeys: keys, wantSent: keys},
		{name: "no requests", queries: nil, limit: 3},
		{name: "one failure fails the whole and stops the rest", queries: good, limit: 1, denyKey: "k2",
			wantSent: []string{"k0", "k1", "k2"}, wantFailure: true},
		{name: "a bad request sends nothing", queries: append(slices.Clone(good), ImageBaselineItemQuery{BaselineNameKey: "k6"}), limit: 3,
			wantFailure: true},
	}
	for name, each := range eaches {
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				svc := &eachService{keys: keys, denyKey: tc.denyKey}
				endpoint, _ := stubServer(t, svc.serveHTTP)
				c := clientFor(t, endpoint, func(cfg *Config) { cfg.MaxConcurrency = tc.limit })
				gotKeys, ids, err := each(context.Background(), c, tc.queries)
				if tc.wantFailure {
					if err == nil || gotKeys != nil {
						t.Fatalf("got %v, %v; want nothing and an error", gotKeys, err)
					}
					if !strings.Contains(err.Error(), ActionDescribeImageBaselineItemList) {
						t.Errorf("error %q does not name the action", err)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if tc.denyKey != "" && CategoryOf(err) != CategoryPermission {
					t.Errorf("error %v, want the permission error of %s", err, tc.denyKey)
				}
				if !slices.Equal(gotKeys, tc.wantKeys) {
					t.Errorf("answers for %v, want %v", gotKeys, tc.wantKeys)
				}
				if tc.wantKeys != nil {
					wantIDs := make([]string, len(tc.wantKeys))
					for k, key := range tc.wantKeys {
						wantIDs[k] = "R-" + key
					}
					if !slices.Equal(ids, wantIDs) {
						t.Errorf("request ids %q, want %q", ids, wantIDs)
					}
				}
				svc.mu.Lock()
				sent := slices.Clone(svc.seen)
				svc.mu.Unlock()
				if tc.limit > 1 {
					slices.Sort(sent)
				}
				if !slices.Equal(sent, tc.wantSent) {
					t.Errorf("sent %v, want %v", sent, tc.wantSent)
				}
			})
		}
	}
}

// CallEach answers with no requests as with any: a result per request,
// here none, and no error.
func TestCallEachOfNoRequests(t *testing.T) {
	c := clientFor(t, "127.0.0.1:1")
	pages, err := CallEach(context.Background(), c, DescribeVulDetails, nil)
	if err != nil || len(pages) != 0 {
		t.Fatalf("CallEach(nil) = %v, %v", pages, err)
	}
}

// Calls of one CallEach, like the pages of a listing, share the client's
// limit: with a limit of 2, two listings and a CallEach at once never have
// more than 2 requests in flight.
func TestEachSharesTheClientsLimitWithOtherCalls(t *testing.T) {
	const limit = 2
	var mu sync.Mutex
	inflight, peak := 0, 0
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		page, _ := strconv.Atoi(r.URL.Query().Get("CurrentPage"))
		if r.URL.Query().Has("Name") {
			_, _ = fmt.Fprint(w, `{"RequestId":"R","Cves":[]}`)
			return
		}
		items := ""
		if page <= 3 {
			items = fmt.Sprintf(`{"BaselineNameKey":"b","BaselineItemKey":"i%d"}`, page)
		}
		_, _ = fmt.Fprintf(w, `{"RequestId":"R","PageInfo":{"PageSize":1,"TotalCount":3},"BaselineItemInfos":[%s]}`, items)
	})
	c := clientFor(t, endpoint, func(cfg *Config) { cfg.MaxConcurrency = limit })
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			_, err := ListEach(context.Background(), c, DescribeImageBaselineItemList,
				perBaseline(ImageBaselineItemQuery{ImageUuid: "u"}, "a", "b", "c"), ListOptions{PageSize: 1})
			errs <- err
		})
	}
	wg.Go(func() {
		_, err := LookupVulDetails(context.Background(), c, vulNames(12), VulDetailsOptions{Lang: "en"})
		errs <- err
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if peak > limit {
		t.Errorf("%d requests in flight at once, more than the client's %d", peak, limit)
	}
}
