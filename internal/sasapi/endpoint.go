package sasapi

import "strings"

// Service endpoints. Security Center is served from two endpoints, not one
// per region: the generic pattern sas.<region>.aliyuncs.com does not exist.
const (
	EndpointChina         = "tds.aliyuncs.com"
	EndpointInternational = "tds.ap-southeast-1.aliyuncs.com"
)

// ResolveEndpoint returns the endpoint for a region: mainland China regions
// (cn-*, except cn-hongkong) use the China endpoint, all others the
// international one.
func ResolveEndpoint(region string) string {
	region = strings.ToLower(strings.TrimSpace(region))
	if strings.HasPrefix(region, "cn-") && region != "cn-hongkong" {
		return EndpointChina
	}
	return EndpointInternational
}
