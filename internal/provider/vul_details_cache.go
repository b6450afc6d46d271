package provider

import (
	"context"
	"sync"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// vulDetailsCache holds the CVEs of vulnerability names for one provider
// configuration, for the length of a run: they are advisory data that do
// not change within it, and a plan with several vulnerability reads and a
// gate asks for the same names again and again. Each name is looked up
// once: a lookup under way is waited for, not repeated. A failed lookup is
// not kept. The zero value is an empty cache.
type vulDetailsCache struct {
	mu      sync.Mutex
	byName  map[detailsKey][]sasapi.CVE
	pending map[detailsKey]chan struct{}
}

type detailsKey struct{ name, lang string }

// lookup returns the CVEs of each distinct, non-empty name, looking up
// with one fan-out those neither known nor being looked up.
func (c *vulDetailsCache) lookup(ctx context.Context, client *sasapi.Client, names []string, lang string) (map[string][]sasapi.CVE, error) {
	mine, theirs := c.claim(names, lang)
	found, err := sasapi.LookupVulDetails(ctx, client, mine, sasapi.VulDetailsOptions{Lang: lang})
	c.settle(mine, lang, found)
	if err != nil {
		return nil, err
	}
	for _, wait := range theirs {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wait:
		}
	}
	return c.collect(ctx, client, names, lang)
}

// claim sorts names into those this caller looks up (now marked pending)
// and the lookups of others to wait for.
func (c *vulDetailsCache) claim(names []string, lang string) (mine []string, theirs []chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byName == nil {
		c.byName, c.pending = map[detailsKey][]sasapi.CVE{}, map[detailsKey]chan struct{}{}
	}
	for _, name := range names {
		key := detailsKey{name, lang}
		if _, known := c.byName[key]; known || name == "" {
			continue
		}
		if wait, ok := c.pending[key]; ok {
			theirs = append(theirs, wait)
			continue
		}
		c.pending[key] = make(chan struct{})
		mine = append(mine, name)
	}
	return mine, theirs
}

// settle records what a lookup found and releases those waiting for it;
// a name it did not find (the lookup failed) stays unknown.
func (c *vulDetailsCache) settle(names []string, lang string, found map[string][]sasapi.CVE) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range names {
		key := detailsKey{name, lang}
		if cves, ok := found[name]; ok {
			c.byName[key] = cves
		}
		close(c.pending[key])
		delete(c.pending, key)
	}
}

// collect returns the CVEs of every name; a name whose lookup by another
// caller failed is looked up again.
func (c *vulDetailsCache) collect(ctx context.Context, client *sasapi.Client, names []string, lang string) (map[string][]sasapi.CVE, error) {
	out := make(map[string][]sasapi.CVE, len(names))
	var missing []string
	c.mu.Lock()
	for _, name := range names {
		if name == "" {
			continue
		}
		if cves, ok := c.byName[detailsKey{name, lang}]; ok {
			out[name] = cves
		} else {
			missing = append(missing, name)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	more, err := c.lookup(ctx, client, missing, lang)
	if err != nil {
		return nil, err
	}
	for name, cves := range more {
		out[name] = cves
	}
	return out, nil
}
