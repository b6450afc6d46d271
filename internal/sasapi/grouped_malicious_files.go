package sasapi

// ActionDescribeGroupedMaliciousFiles lists malicious files grouped by sample.
const ActionDescribeGroupedMaliciousFiles = "DescribeGroupedMaliciousFiles"

// DescribeGroupedMaliciousFiles lists the malware samples found in the
// images a query selects, one record per sample MD5 with its name: the
// name DescribeAffectedMaliciousFileImages does not carry.
var DescribeGroupedMaliciousFiles = Operation[MaliciousFileQuery, MaliciousSample]{
	Action: ActionDescribeGroupedMaliciousFiles,
	Noun:   "malware samples",
	Params: maliciousFileParams,
	Decode: decodeWith(jsonBody[describeGroupedMaliciousFilesResponse], func(r *describeGroupedMaliciousFilesResponse) (Page[MaliciousSample], error) {
		return pageInfoPage(r.RequestID, r.PageInfo, r.GroupedMaliciousFileResponse), nil
	}),
	Key: func(s *MaliciousSample) (string, bool) { return s.MaliciousMd5.Value, s.MaliciousMd5.Valid },
}

// MaliciousSample is one malware sample (by MD5) across the images.
type MaliciousSample struct {
	MaliciousMd5  String `json:"MaliciousMd5"`
	MaliciousName String `json:"MaliciousName"`
	// MaliciousKey is the sample's kind, such as "WEBSHELL_IMG".
	MaliciousKey String `json:"MaliciousKey"`
	Level        String `json:"Level"`
	Status       Int    `json:"Status"`
	ImageCount   Int    `json:"ImageCount"`
	// FirstScanTimestamp and LatestScanTimestamp are Unix milliseconds.
	FirstScanTimestamp  Int `json:"FirstScanTimestamp"`
	LatestScanTimestamp Int `json:"LatestScanTimestamp"`
}

type describeGroupedMaliciousFilesResponse struct {
	RequestID                    string            `json:"RequestId"`
	PageInfo                     *PageInfo         `json:"PageInfo"`
	GroupedMaliciousFileResponse []MaliciousSample `json:"GroupedMaliciousFileResponse"`
}
