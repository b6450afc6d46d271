package fakesas

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// signatureAlgorithm is the only algorithm the fake verifies; it is the
// default of darabonba-openapi v2.
const signatureAlgorithm = "ACS3-HMAC-SHA256"

// maxClockSkew is how far x-acs-date may be from the server clock.
const maxClockSkew = 15 * time.Minute

// authorization is the parsed Authorization header:
// "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b;c,Signature=hex".
type authorization struct {
	accessKeyID   string
	signedHeaders []string
	signature     string
}

// parseAuthorization splits the header; it returns ok=false when the header
// is not a complete ACS3-HMAC-SHA256 authorization.
func parseAuthorization(header string) (authorization, bool) {
	rest, found := strings.CutPrefix(header, signatureAlgorithm+" ")
	if !found {
		return authorization{}, false
	}
	var a authorization
	for part := range strings.SplitSeq(rest, ",") {
		key, value, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return authorization{}, false
		}
		switch key {
		case "Credential":
			a.accessKeyID = value
		case "SignedHeaders":
			a.signedHeaders = strings.Split(value, ";")
		case "Signature":
			a.signature = value
		default:
			return authorization{}, false
		}
	}
	if a.accessKeyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return authorization{}, false
	}
	return a, true
}

// accessKeyFromRequest extracts the AccessKeyId for the request record, even
// when the request is later rejected.
func accessKeyFromRequest(r *http.Request) string {
	a, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return ""
	}
	return a.accessKeyID
}

// authenticate checks the request the way the service does: a well-formed
// signature over the signed headers, a fresh timestamp, a known key, a
// matching STS token, a valid signature, and finally permission.
func (s *Server) authenticate(r *http.Request, query url.Values, body []byte) *apiError {
	header := r.Header.Get("Authorization")
	if header == "" {
		return newAPIError(http.StatusBadRequest, "MissingAuthorization",
			"Authorization is mandatory for this action.")
	}
	auth, ok := parseAuthorization(header)
	if !ok {
		return newAPIError(http.StatusBadRequest, "IncompleteSignature",
			"The request signature does not conform to Aliyun standards.")
	}
	if e := checkSignedHeaders(r, auth.signedHeaders); e != nil {
		return e
	}
	if e := s.checkTimestamp(r.Header.Get("x-acs-date")); e != nil {
		return e
	}
	cred, known := s.creds[auth.accessKeyID]
	if !known {
		return newAPIError(http.StatusNotFound, "InvalidAccessKeyId.NotFound",
			"Specified access key is not found.")
	}
	if e := checkSecurityToken(cred, r.Header.Values("x-acs-security-token")); e != nil {
		return e
	}
	if e := checkPayloadHash(r.Header.Get("x-acs-content-sha256"), body); e != nil {
		return e
	}
	want := signature(cred.Secret, canonicalRequest(r, query, auth.signedHeaders))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(auth.signature))) {
		return newAPIError(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation.")
	}
	if cred.Denied {
		return newAPIError(http.StatusForbidden, "NoPermission", "caller has no permission")
	}
	return nil
}

// checkSignedHeaders requires what ACS3 requires: the host and every x-acs-*
// header present must be signed, and the timestamp and payload hash must be
// present at all.
func checkSignedHeaders(r *http.Request, signed []string) *apiError {
	for _, name := range []string{"x-acs-date", "x-acs-content-sha256"} {
		if r.Header.Get(name) == "" {
			return newAPIError(http.StatusBadRequest, "IncompleteSignature",
				"The request signature does not conform to Aliyun standards: header %s is missing.", name)
		}
	}
	required := []string{"host"}
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-acs-") {
			required = append(required, lower)
		}
	}
	for _, name := range required {
		if !slices.Contains(signed, name) {
			return newAPIError(http.StatusBadRequest, "IncompleteSignature",
				"The request signature does not conform to Aliyun standards: header %s is not signed.", name)
		}
	}
	return nil
}

func (s *Server) checkTimestamp(value string) *apiError {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return newAPIError(http.StatusBadRequest, "InvalidTimeStamp.Format",
			"Specified time stamp or date value is not well formatted.")
	}
	skew := s.now().Sub(t)
	if skew > maxClockSkew || skew < -maxClockSkew {
		return newAPIError(http.StatusBadRequest, "InvalidTimeStamp.Expired",
			"Specified time stamp or date value is expired.")
	}
	return nil
}

// checkSecurityToken enforces STS semantics: a credential with a token needs
// exactly that token, and a long-term key must not carry one (a stale token
// sent with a permanent key is a client bug worth surfacing).
func checkSecurityToken(cred Credential, sent []string) *apiError {
	token := ""
	if len(sent) > 0 {
		token = sent[0]
	}
	if len(sent) > 1 || token != cred.SecurityToken {
		return newAPIError(http.StatusBadRequest, "InvalidSecurityToken.Mismatch",
			"Specified SecurityToken is not matched with the AccessKeyId.")
	}
	if cred.Expired {
		return newAPIError(http.StatusBadRequest, "InvalidSecurityToken.Expired",
			"Specified SecurityToken is expired.")
	}
	return nil
}

// checkPayloadHash makes sure the signed payload hash describes the body that
// actually arrived; otherwise a signature over the headers would not protect
// the body.
func checkPayloadHash(declared string, body []byte) *apiError {
	sum := sha256.Sum256(body)
	if !strings.EqualFold(declared, hex.EncodeToString(sum[:])) {
		return newAPIError(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified x-acs-content-sha256 is not matched with the request body.")
	}
	return nil
}

// canonicalRequest rebuilds the string the client hashed before signing:
// method, canonical URI, canonical query, canonical headers, the signed
// header list and the payload hash, separated by newlines.
func canonicalRequest(r *http.Request, query url.Values, signed []string) string {
	uri := r.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	return strings.Join([]string{
		r.Method,
		acsEncode(uri),
		canonicalQuery(query),
		canonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		r.Header.Get("x-acs-content-sha256"),
	}, "\n")
}

// canonicalQuery sorts parameters by key and percent-encodes the values as
// url.QueryEscape does, then applies the ACS3 substitutions to the whole
// string (keys included), exactly like the client.
func canonicalQuery(query url.Values) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		if v := query.Get(k); v != "" {
			b.WriteString(url.QueryEscape(v))
		}
	}
	return acsEncode(b.String())
}

// acsEncode turns form encoding into the RFC 3986 flavour ACS3 signs.
func acsEncode(s string) string {
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	return strings.ReplaceAll(s, "%7E", "~")
}

// canonicalHeaders renders "name:value\n" for every signed header, in the
// order the client listed them; several values are trimmed, sorted and
// joined with commas. The host header is the request's Host.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		var values []string
		if name == "host" {
			values = []string{r.Host}
		} else {
			for _, v := range r.Header.Values(name) {
				values = append(values, strings.TrimSpace(v))
			}
		}
		sort.Strings(values)
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(values, ","))
		b.WriteByte('\n')
	}
	return b.String()
}

// signature is hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA256(canonical)))).
func signature(secret, canonical string) string {
	hashed := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signatureAlgorithm + "\n" + hex.EncodeToString(hashed[:])))
	return hex.EncodeToString(mac.Sum(nil))
}
