package sasapi

import "errors"

// jsonScanner walks a JSON document in memory, validating as strictly as
// encoding/json does and building nothing: hand-written decoders take the
// raw bytes of each value they want from it and skip the rest. Any failure
// is errNotFastPath; callers then decode with encoding/json, which gives
// the canonical error (or, where the scanner is stricter, the value).
type jsonScanner struct {
	data  []byte
	text  string // string(data), for decoders that take substrings; may be ""
	pos   int
	depth int
}

// errNotFastPath sends a body to the encoding/json decoder.
var errNotFastPath = errors.New("not decodable by the hand-written decoder")

// maxScanDepth bounds nesting; encoding/json allows more and decodes the
// rare deeper document itself.
const maxScanDepth = 1000

// stringSafe marks the bytes that may appear unescaped in a JSON string
// and end nothing: not a quote, a backslash or a control character.
var stringSafe = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// next skips whitespace and returns the next byte, 0 at the end.
func (s *jsonScanner) next() byte {
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// expect consumes byte c after whitespace.
func (s *jsonScanner) expect(c byte) error {
	if s.next() != c {
		return errNotFastPath
	}
	s.pos++
	return nil
}

// end checks that nothing but whitespace follows the document.
func (s *jsonScanner) end() error {
	if s.next() != 0 || s.pos != len(s.data) {
		return errNotFastPath
	}
	return nil
}

// str scans the string at pos and returns it with its quotes, and whether
// it holds an escape.
func (s *jsonScanner) str() (raw []byte, escaped bool, err error) {
	start := s.pos
	s.pos++ // the opening quote
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if stringSafe[c] {
			s.pos++
			continue
		}
		switch c {
		case '"':
			s.pos++
			return s.data[start:s.pos], escaped, nil
		case '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, false, err
			}
		default: // a control character
			return nil, false, errNotFastPath
		}
	}
	return nil, false, errNotFastPath
}

// escape consumes one escape sequence at pos.
func (s *jsonScanner) escape() error {
	if s.pos+1 >= len(s.data) {
		return errNotFastPath
	}
	switch s.data[s.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos += 2
		return nil
	case 'u':
		if s.pos+6 > len(s.data) {
			return errNotFastPath
		}
		for _, h := range s.data[s.pos+2 : s.pos+6] {
			if !isHex(h) {
				return errNotFastPath
			}
		}
		s.pos += 6
		return nil
	}
	return errNotFastPath
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number scans -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at pos.
func (s *jsonScanner) number() error {
	d := s.data
	if s.pos < len(d) && d[s.pos] == '-' {
		s.pos++
	}
	if s.pos >= len(d) || !isDigit(d[s.pos]) {
		return errNotFastPath
	}
	if d[s.pos] == '0' {
		s.pos++
	} else {
		for s.pos < len(d) && isDigit(d[s.pos]) {
			s.pos++
		}
	}
	if s.pos < len(d) && d[s.pos] == '.' {
		s.pos++
		if err := s.digits(); err != nil {
			return err
		}
	}
	if s.pos < len(d) && (d[s.pos] == 'e' || d[s.pos] == 'E') {
		s.pos++
		if s.pos < len(d) && (d[s.pos] == '+' || d[s.pos] == '-') {
			s.pos++
		}
		if err := s.digits(); err != nil {
			return err
		}
	}
	return nil
}

// digits scans one or more digits.
func (s *jsonScanner) digits() error {
	start := s.pos
	for s.pos < len(s.data) && isDigit(s.data[s.pos]) {
		s.pos++
	}
	if s.pos == start {
		return errNotFastPath
	}
	return nil
}

// literal consumes word at pos.
func (s *jsonScanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return errNotFastPath
	}
	s.pos += len(word)
	return nil
}

// value scans the next value and returns its bytes.
func (s *jsonScanner) value() ([]byte, error) {
	c := s.next()
	start := s.pos
	var err error
	switch c {
	case '"':
		_, _, err = s.str()
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		err = s.number()
	case 't':
		err = s.literal("true")
	case 'f':
		err = s.literal("false")
	case 'n':
		err = s.literal("null")
	case '{':
		err = s.object(func([]byte) error { _, err := s.value(); return err })
	case '[':
		err = s.array(func() error { _, err := s.value(); return err })
	default:
		err = errNotFastPath
	}
	if err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

// object scans the object at pos, calling member for each name (unquoted)
// with pos at its value, which member must consume.
func (s *jsonScanner) object(member func(name []byte) error) error {
	if err := s.enter('{'); err != nil {
		return err
	}
	if s.next() == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if s.next() != '"' {
			return errNotFastPath
		}
		raw, escaped, err := s.str()
		if err != nil {
			return err
		}
		name := raw[1 : len(raw)-1]
		if escaped {
			unquoted, err := unquote(raw)
			if err != nil {
				return errNotFastPath
			}
			name = []byte(unquoted)
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(name); err != nil {
			return err
		}
		switch s.next() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return nil
		default:
			return errNotFastPath
		}
	}
}

// array scans the array at pos, calling element with pos at each element,
// which element must consume.
func (s *jsonScanner) array(element func() error) error {
	if err := s.enter('['); err != nil {
		return err
	}
	if s.next() == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		switch s.next() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return errNotFastPath
		}
	}
}

func (s *jsonScanner) enter(open byte) error {
	if s.next() != open || s.depth >= maxScanDepth {
		return errNotFastPath
	}
	s.pos++
	s.depth++
	return nil
}
