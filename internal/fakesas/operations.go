package fakesas

import "net/url"

// operation is how the fake serves one action, once the request has passed
// routing, authentication, the QPS limit and fault injection.
type operation struct {
	// serve answers with a body, or with an error in the service's shape
	// (or lostAnswer, when the action took effect but its answer is lost).
	serve func(s *Server, q url.Values, requestID string) ([]byte, *apiError)
	// served, when set, runs once a successful answer is computed and before
	// it is written; it does not run for an error or a truncated answer.
	served func(s *Server)
}

// operations is every action the fake serves. An action missing here is
// answered InvalidAction.NotFound, as the gateway does.
var operations = map[string]operation{
	actionDescribeImageInstances:              {serve: (*Server).describeImageInstances, served: (*Server).notifyServed},
	actionDescribeImageCriteria:               {serve: (*Server).describeImageCriteria},
	actionDescribeImageVulList:                {serve: (*Server).describeImageVulList},
	actionDescribeVulDetails:                  {serve: (*Server).describeVulDetails},
	actionDescribeImageBaselineCheckResult:    {serve: (*Server).describeImageBaselineCheckResult},
	actionDescribeImageBaselineItemList:       {serve: (*Server).describeImageBaselineItemList},
	actionPublicCreateImageScanTask:           {serve: (*Server).createImageScanTask},
	actionDescribeImageLatestScanTask:         {serve: (*Server).describeImageLatestScanTask},
	actionDescribeImageSensitiveFileList:      {serve: (*Server).describeImageSensitiveFileList},
	actionDescribeImageSensitiveFileByKey:     {serve: (*Server).describeImageSensitiveFileByKey},
	actionDescribeAffectedMaliciousFileImages: {serve: (*Server).describeAffectedMaliciousFileImages},
	actionDescribeGroupedMaliciousFiles:       {serve: (*Server).describeGroupedMaliciousFiles},
}
