package sasapi

import (
	"errors"
	"fmt"
)

// envelope is what the answers of some operations carry besides their
// records: a success flag, a code and a message. A 2xx answer that says it
// failed (Success false) is an error of the service, never an empty page.
type envelope struct {
	RequestID      string `json:"RequestId"`
	Success        Bool   `json:"Success"`
	Code           String `json:"Code"`
	HttpStatusCode Int    `json:"HttpStatusCode"`
	Message        String `json:"Message"`
}

// failure is the APIError of an answer that says it failed, nil otherwise.
// The client completes it with the action and the HTTP status.
func (e envelope) failure() error {
	if !e.Success.Valid || e.Success.Value {
		return nil
	}
	code := e.Code.Value
	if code == "" {
		code = "Success.False"
	}
	return &APIError{Code: code, Message: validUTF8(e.Message.Value), RequestID: e.RequestID}
}

// Secret is a string that is part of a secret, such as the masked excerpt
// of a credential found in an image. It never prints its value, in a
// message, a log line or a decoding error; Reveal gives it to the one
// caller that stores it.
type Secret struct {
	value string
	Valid bool
}

// UnmarshalJSON accepts a string or null; anything else is an error that
// does not quote it.
func (s *Secret) UnmarshalJSON(data []byte) error {
	*s = Secret{}
	switch data[0] {
	case 'n':
		return nil
	case '"':
		v, err := unquote(data)
		if err != nil {
			return errors.New("a secret excerpt that is not a valid JSON string")
		}
		*s = Secret{value: v, Valid: true}
		return nil
	}
	return errors.New("expected a string for a secret excerpt, got another type")
}

// Reveal is the secret's value.
func (s Secret) Reveal() string { return s.value }

// String, GoString and Format print no part of the value.
func (s Secret) String() string   { return "(secret)" }
func (s Secret) GoString() string { return "sasapi.Secret{(redacted)}" }

// Format prints "(secret)" whatever the verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("(secret)")) }
