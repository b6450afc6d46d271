package fakesas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// hostID is what the service reports as HostId in its error bodies.
const hostID = "tds.aliyuncs.com"

const jsonContentType = "application/json;charset=utf-8"

// apiError is an answer in the service's error shape.
type apiError struct {
	status  int
	code    string
	message string
	// lost, when set, replaces the whole answer with this fault: the
	// action took effect but its answer is lost on the way back.
	lost FaultKind
}

// lostAnswer is what a handler returns when its action took effect and the
// client is to get the fault kind instead of the answer.
func lostAnswer(kind FaultKind) *apiError {
	return &apiError{lost: kind}
}

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func invalidParameter(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "InvalidParameter", format, args...)
}

// errorBody is the JSON the service sends with every error.
type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

func (e *apiError) body(requestID string) []byte {
	b, err := marshalJSON(errorBody{
		RequestID: requestID,
		HostID:    hostID,
		Code:      e.code,
		Message:   e.message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.code) + "&product=Sas",
	})
	if err != nil {
		// Marshalling a struct of strings cannot fail; keep the answer valid anyway.
		return []byte(`{"Code":"ServerError"}`)
	}
	return b
}

// marshalJSON encodes like the service: "&", "<" and ">" stay literal
// instead of becoming \u0026 and friends.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeResponse writes a complete answer and returns the status for the record.
func writeResponse(w http.ResponseWriter, requestID string, status int, contentType string, body []byte) int {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-acs-request-id", requestID)
	w.WriteHeader(status)
	// A write error means the client went away; there is nobody left to tell.
	_, _ = w.Write(body)
	return status
}

func writeError(w http.ResponseWriter, requestID string, e *apiError) int {
	return writeResponse(w, requestID, e.status, jsonContentType, e.body(requestID))
}

// requestID formats a deterministic, UUID-shaped, upper-case request id from
// the server seed and a sequence number, so runs are reproducible yet every
// response gets its own id.
func requestID(seed int64, seq uint64) string {
	hi := splitmix64(uint64(seed) ^ seq)
	lo := splitmix64(hi ^ seq<<1)
	// Version 4 and RFC 4122 variant bits, as the service's ids have.
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08X-%04X-%04X-%04X-%012X",
		hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// splitmix64 is a small, well-mixing hash for turning counters into ids.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
