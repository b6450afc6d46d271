package sasapi

import (
	"fmt"
	"strings"
)

// Hint tells the user how to fix the common failures, or "" when there is
// nothing better to say than the message itself.
//
// Deprecated: moved to internal/provider; removed once the provider stops calling it.
func (e *APIError) Hint() string {
	switch {
	case e.Code == "NoPermission" || strings.HasPrefix(e.Code, "Forbidden"):
		return fmt.Sprintf("Grant the RAM action yundun-sas:%s (for example through the AliyunYundunSASReadOnlyAccess policy) to the user or role the provider authenticates as.", e.Action)
	case e.Code == "InvalidAccessKeyId.NotFound" || e.Code == "InvalidAccessKeyId":
		return "The access key id is unknown to the service: check access_key / ALIBABA_CLOUD_ACCESS_KEY_ID and that the key is enabled."
	case e.Code == "SignatureDoesNotMatch" || e.Code == "IncompleteSignature":
		return "The access key secret does not match the access key id: check secret_key / ALIBABA_CLOUD_ACCESS_KEY_SECRET."
	case strings.HasPrefix(e.Code, "InvalidSecurityToken"):
		return "The STS security token is invalid or expired: obtain a fresh token (security_token / ALIBABA_CLOUD_SECURITY_TOKEN) or use assume_role so it is refreshed automatically."
	case strings.HasPrefix(e.Code, "InvalidTimeStamp") || strings.HasPrefix(e.Code, "RequestTimeTooSkewed"):
		return "The request timestamp was rejected: synchronise this machine's clock (NTP)."
	case isThrottlingCode(e.Code):
		return "The service is rate limiting this account: lower max_concurrency, raise max_retries, or retry later."
	}
	return ""
}
