package fakesas

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Lists travel in the query in three forms (JSON array text, repeated
// keys Name.N, comma string), and which one depends on the operation, not
// on the parameter: ScanRange is JSON in the sensitive-file operations and
// repeated keys in the malicious-file ones. The fake accepts only the form
// the SDK sends for each operation, so a client that encodes a list the
// wrong way fails its tests instead of silently losing a filter.

// jsonListParam reads a list sent as one key holding a JSON array of
// strings (ScanRange=["image"]); the repeated-key form is refused.
func jsonListParam(q url.Values, name string) ([]string, *apiError) {
	if key, found := repeatedKey(q, name); found {
		return nil, invalidParameter("The specified parameter %s is invalid: this operation takes %s as a JSON array such as [\"image\"], not as %s.", key, name, key)
	}
	if !q.Has(name) {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(q.Get(name)), &list); err != nil {
		return nil, invalidParameter("The specified parameter %s %q is invalid: want a JSON array of strings such as [\"image\"].", name, q.Get(name))
	}
	return list, nil
}

// repeatedListParam reads a list sent as Name.1, Name.2, … (1-based, no
// gaps); a bare Name, which would carry JSON or commas, is refused.
func repeatedListParam(q url.Values, name string) ([]string, *apiError) {
	if q.Has(name) {
		return nil, invalidParameter("The specified parameter %s is invalid: this operation takes it as repeated keys %s.1, %s.2, …, not as one value %q.", name, name, name, q.Get(name))
	}
	var list []string
	for n := 1; q.Has(name + "." + strconv.Itoa(n)); n++ {
		list = append(list, q.Get(name+"."+strconv.Itoa(n)))
	}
	for key := range q {
		suffix, found := strings.CutPrefix(key, name+".")
		if !found {
			continue
		}
		if n, err := strconv.Atoi(suffix); err != nil || n < 1 || n > len(list) {
			return nil, invalidParameter("The specified parameter %s is invalid: %s.N must be numbered from 1 without gaps.", key, name)
		}
	}
	return list, nil
}

// commaListParam reads a comma-separated list (Levels=serious,remind)
// whose values must be in allowed; the repeated-key form is refused.
func commaListParam(q url.Values, name string, allowed []string) ([]string, *apiError) {
	if key, found := repeatedKey(q, name); found {
		return nil, invalidParameter("The specified parameter %s is invalid: this operation takes %s as one comma-separated value, not as %s.", key, name, key)
	}
	if q.Get(name) == "" {
		return nil, nil
	}
	var list []string
	for v := range strings.SplitSeq(q.Get(name), ",") {
		v = strings.TrimSpace(v)
		if !slices.Contains(allowed, v) {
			return nil, invalidParameter("The specified parameter %s %q is invalid; use %s, comma-separated.", name, q.Get(name), strings.Join(allowed, ", "))
		}
		list = append(list, v)
	}
	return list, nil
}

// repeatedKey finds a key Name.<anything> in the query.
func repeatedKey(q url.Values, name string) (string, bool) {
	for key := range q {
		if strings.HasPrefix(key, name+".") {
			return key, true
		}
	}
	return "", false
}

// scanRangeIncludesImages checks the values of ScanRange (image,
// container) and reports whether they let image findings through: every
// finding of the fake is in an image, none in a container. No ScanRange
// lets everything through.
func scanRangeIncludesImages(values []string) (bool, *apiError) {
	for _, v := range values {
		if v != "image" && v != "container" {
			return false, invalidParameter("The specified parameter ScanRange is invalid: %q is not image or container.", v)
		}
	}
	return len(values) == 0 || slices.Contains(values, "image"), nil
}

// requiredPositiveInt reads an integer parameter the operation requires.
func requiredPositiveInt(q url.Values, name string) (int, *apiError) {
	if !q.Has(name) {
		return 0, missingParameter(name)
	}
	return positiveInt(q, name, 0)
}

// pageWindow is where page (from 1) of size rows starts and ends among n
// rows; a page past the end is empty, however large its number.
func pageWindow(page, size, n int) (int, int) {
	if page-1 > n/size {
		return n, n
	}
	start := min((page-1)*size, n)
	return start, min(start+size, n)
}
