package sasapi

import (
	"strings"
	"testing"
)

// The scanner decides what the hand-written decoders take themselves; its
// mistakes would be hidden by the encoding/json fallback (same values,
// the speed lost) or show only as a panic. Each input is a slice without
// spare capacity, so reading past its end panics.

// exactBytes is raw with no capacity beyond its length: []byte(raw) may
// round the capacity up, which would let a read past the end go unseen.
func exactBytes(raw string) []byte {
	b := []byte(raw)
	return b[:len(b):len(b)]
}

func TestScannerNumber(t *testing.T) {
	for raw, want := range map[string]bool{
		"0": true, "-0": true, "7": true, "1234567890": true, "-12": true,
		"0.5": true, "1.25e3": true, "2E-7": true, "3e+10": true, "9.0E1": true,
		"": false, "-": false, "01": false, "+1": false, ".5": false, "1.": false,
		"1e": false, "1e+": false, "a": false, "-a": false, "1.e3": false,
	} {
		s := jsonScanner{data: exactBytes(raw)}
		err := s.number()
		if got := err == nil && s.pos == len(raw); got != want {
			t.Errorf("number(%q): error %v, read %d of %d bytes; want a whole number: %v", raw, err, s.pos, len(raw), want)
		}
	}
}

func TestScannerEscape(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		read int // bytes consumed; 0 for a rejected sequence
	}{
		{`\"`, 2}, {`\\`, 2}, {`\/`, 2}, {`\b`, 2}, {`\f`, 2}, {`\n`, 2}, {`\r`, 2}, {`\t`, 2},
		{`\u00e9`, 6}, {`\uABCD`, 6}, {`\u09af`, 6}, {`\uFfFf...`, 6},
		{`\`, 0}, {`\x`, 0}, {`\u`, 0}, {`\u12`, 0}, {`\u123`, 0}, {`\u12g4`, 0}, {`\u12G4`, 0},
		{`\u:000`, 0}, {`\u/000`, 0}, {"\\u`000", 0}, {`\u@000`, 0},
	} {
		s := jsonScanner{data: exactBytes(tc.raw)}
		err := s.escape()
		if (err == nil) != (tc.read > 0) || (err == nil && s.pos != tc.read) {
			t.Errorf("escape(%q): error %v, read %d bytes; want %d", tc.raw, err, s.pos, tc.read)
		}
	}
}

func TestIsHex(t *testing.T) {
	for c := range 256 {
		want := strings.IndexByte("0123456789abcdefABCDEF", byte(c)) >= 0
		if got := isHex(byte(c)); got != want {
			t.Errorf("isHex(%q) = %v", rune(c), got)
		}
	}
}

func TestScannerLiteral(t *testing.T) {
	for _, tc := range []struct {
		data, word string
		at         int
		ok         bool
	}{
		{"null", "null", 0, true}, {"true,", "true", 0, true}, {"false}", "false", 0, true},
		{`[null`, "null", 1, true}, {`:true`, "true", 1, true},
		{"nul", "null", 0, false}, {"nulL", "null", 0, false}, {"", "true", 0, false}, {"fals", "false", 0, false},
		{`[nul`, "null", 1, false}, {`, tru`, "true", 2, false},
	} {
		s := jsonScanner{data: exactBytes(tc.data), pos: tc.at}
		err := s.literal(tc.word)
		if (err == nil) != tc.ok || (tc.ok && s.pos != tc.at+len(tc.word)) {
			t.Errorf("literal(%q) at %d in %q: error %v, now at %d; want ok %v", tc.word, tc.at, tc.data, err, s.pos, tc.ok)
		}
	}
}

// Leaving a container gives its depth back: many siblings, empty or not,
// at one level never reach maxScanDepth (a scanner that lost count would
// give up on them, and the fallback would hide it).
func TestScannerDepthFollowsNesting(t *testing.T) {
	siblings := func(open, elem, close string) string {
		return open + strings.Repeat(elem+",", 2*maxScanDepth) + elem + close
	}
	for _, raw := range []string{
		siblings("[", "[]", "]"),
		siblings("[", "[1]", "]"),
		siblings("[", "{}", "]"),
		siblings("[", `{"a":1}`, "]"),
		siblings("{", `"k":[]`, "}"),
		siblings("{", `"k":{"a":[1,{}]}`, "}"),
	} {
		s := jsonScanner{data: exactBytes(raw)}
		v, err := s.value()
		if err != nil || len(v) != len(raw) || s.depth != 0 {
			t.Errorf("value(%.40s…): error %v, read %d of %d bytes, depth %d after", raw, err, len(v), len(raw), s.depth)
		}
	}
	deep := strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1)
	s := jsonScanner{data: exactBytes(deep)}
	if _, err := s.value(); err == nil {
		t.Errorf("value of %d nested arrays: no error, want the depth limit", maxScanDepth+1)
	}
	ok := strings.Repeat("[", maxScanDepth) + strings.Repeat("]", maxScanDepth)
	s = jsonScanner{data: exactBytes(ok)}
	if _, err := s.value(); err != nil {
		t.Errorf("value of %d nested arrays: %v, want it read", maxScanDepth, err)
	}
}
