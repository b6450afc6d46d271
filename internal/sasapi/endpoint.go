package sasapi

import "strings"

// Service endpoints. Security Center is served from two endpoints, not one
// per region: the generic pattern sas.<region>.aliyuncs.com does not exist.
const (
	EndpointChina         = "tds.cn-shanghai.aliyuncs.com"
	EndpointInternational = "tds.ap-southeast-1.aliyuncs.com"
)

// ResolveEndpoint returns the endpoint for a region, as the official SDK's
// endpoint map does: cn-* regions (cn-hongkong, finance and gov regions
// included) use the China endpoint, every other region the international
// one.
func ResolveEndpoint(region string) string {
	region = strings.ToLower(strings.TrimSpace(region))
	if strings.HasPrefix(region, "cn-") {
		return EndpointChina
	}
	return EndpointInternational
}
