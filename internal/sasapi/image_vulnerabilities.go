package sasapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Vulnerability operations and the values this package sends them.
const (
	ActionDescribeImageVulList = "DescribeImageVulList"
	ActionDescribeVulDetails   = "DescribeVulDetails"

	// VulTypeCVE selects image system vulnerabilities, the default Type.
	VulTypeCVE = "cve"
)

// DescribeImageVulList lists vulnerability rows, de-duplicated by Uuid,
// Name and PrimaryId. Its pages have a hand-written decoder
// (image_vulnerabilities_decoder.go). More Uuids than UuidsPerRequest are
// read in batches, one after the other.
var DescribeImageVulList = Operation[ImageVulQuery, VulRecord]{
	Action:     ActionDescribeImageVulList,
	Noun:       "vulnerability rows",
	Params:     imageVulParams,
	Decode:     decodeWith(jsonBody[DescribeImageVulListResponse], (*DescribeImageVulListResponse).page),
	FastDecode: decodeWith(decodeImageVulListPageFast, (*DescribeImageVulListResponse).page),
	Key:        vulRecordKey,
	Split:      splitUuids,
}

// DescribeVulDetails lists the CVEs behind one vulnerability name; it may
// list none.
var DescribeVulDetails = Operation[DescribeVulDetailsRequest, CVE]{
	Action: ActionDescribeVulDetails,
	Noun:   "CVEs",
	Params: vulDetailsParams,
	Decode: decodeVulDetails,
}

// Vulnerability status codes of DescribeImageVulList (Status, StatusList).
const (
	VulStatusUnfixed = 1
	VulStatusFixing  = 4
	VulStatusFixed   = 7
)

// ImageVulQuery selects vulnerability rows. Empty fields are not sent; the
// service then applies no filter.
type ImageVulQuery struct {
	// Type defaults to VulTypeCVE.
	Type string
	// Uuids are image record Uuids (of DescribeImageInstances), sent
	// comma-separated; none may be empty or contain a comma.
	Uuids []string
	// Digest is the bare 64-hex image digest.
	Digest         string
	RepoName       string
	RepoNamespace  string
	RepoId         string
	RepoInstanceId string
	RepoRegionId   string
	// Name is a vulnerability name, such as "debian:10:CVE-2019-9893".
	Name string
	// Necessity is one fix priority: "asap", "later" or "nntf".
	Necessity string
	// StatusList is one status code (VulStatus*) in decimal.
	StatusList string
	// Lang is "en" or "zh" (the service's default).
	Lang string
}

// DescribeImageVulListResponse is one page of vulnerability rows. Unlike
// DescribeImageInstances, the paging fields are at the top level.
type DescribeImageVulListResponse struct {
	RequestID   string      `json:"RequestId"`
	CurrentPage Int         `json:"CurrentPage"`
	PageSize    Int         `json:"PageSize"`
	TotalCount  Int         `json:"TotalCount"`
	VulRecords  []VulRecord `json:"VulRecords"`
}

// VulRecord is one (image, vulnerability) row of DescribeImageVulList.
type VulRecord struct {
	Name      String `json:"Name"`
	AliasName String `json:"AliasName"`
	// Related holds the CVE id(s) of the vulnerability.
	Related   CommaList `json:"Related"`
	Type      String    `json:"Type"`
	Necessity String    `json:"Necessity"`
	// Status is a VulStatus* code.
	Status Int `json:"Status"`
	// CanFix is "yes" or "no"; see ParseYesNo.
	CanFix        String     `json:"CanFix"`
	CanUpdate     Bool       `json:"CanUpdate"`
	PrimaryId     Int        `json:"PrimaryId"`
	Uuid          String     `json:"Uuid"`
	Image         String     `json:"Image"`
	ImageDigest   String     `json:"ImageDigest"`
	RepoName      String     `json:"RepoName"`
	RepoNamespace String     `json:"RepoNamespace"`
	Tag           String     `json:"Tag"`
	RuleTag       String     `json:"RuleTag"`
	Layers        StringList `json:"Layers"`
	// FirstTs, LastTs, ModifyTs and ScanTime are Unix milliseconds.
	FirstTs           Int              `json:"FirstTs"`
	LastTs            Int              `json:"LastTs"`
	ModifyTs          Int              `json:"ModifyTs"`
	ScanTime          Int              `json:"ScanTime"`
	ClusterId         String           `json:"ClusterId"`
	ClusterName       String           `json:"ClusterName"`
	ContainerId       String           `json:"ContainerId"`
	Namespace         String           `json:"Namespace"`
	Pod               String           `json:"Pod"`
	TargetId          String           `json:"TargetId"`
	TargetName        String           `json:"TargetName"`
	TargetType        String           `json:"TargetType"`
	MaliciousSource   String           `json:"MaliciousSource"`
	ExtendContentJson VulExtendContent `json:"ExtendContentJson"`
}

// VulExtendContent is ExtendContentJson: documented as an object, accepted
// also as a string holding one.
type VulExtendContent struct {
	Os            String       `json:"Os"`
	OsRelease     String       `json:"OsRelease"`
	RpmEntityList []VulPackage `json:"RpmEntityList"`
	// Valid is false when the field was absent, null or an empty string.
	Valid bool `json:"-"`
}

// VulPackage is one affected package of a vulnerability row.
type VulPackage struct {
	Name        String     `json:"Name"`
	Version     String     `json:"Version"`
	FullVersion String     `json:"FullVersion"`
	Path        String     `json:"Path"`
	Layer       String     `json:"Layer"`
	MatchDetail String     `json:"MatchDetail"`
	MatchList   StringList `json:"MatchList"`
	UpdateCmd   String     `json:"UpdateCmd"`
}

// UnmarshalJSON accepts an object, or a string holding an object's JSON.
func (e *VulExtendContent) UnmarshalJSON(data []byte) error {
	*e = VulExtendContent{}
	inner := data
	if data[0] == '"' {
		v, err := unquote(data)
		if err != nil {
			return err
		}
		inner = bytes.TrimSpace([]byte(v))
		if len(inner) == 0 {
			return nil
		}
	}
	if bytes.Equal(inner, jsonNull) {
		return nil
	}
	if inner[0] != '{' {
		return fmt.Errorf("ExtendContentJson: expected an object, got %s", describeJSON(inner))
	}
	type fields VulExtendContent // without this method
	var f fields
	if err := json.Unmarshal(inner, &f); err != nil {
		return fmt.Errorf("ExtendContentJson: %w", err)
	}
	*e = VulExtendContent(f)
	e.Valid = true
	return nil
}

// ParseYesNo reads a yes/no flag such as CanFix; anything else is absent.
func ParseYesNo(s String) Bool {
	switch strings.ToLower(strings.TrimSpace(s.Value)) {
	case "yes", "y", "true", "1":
		return Bool{Value: true, Valid: s.Valid}
	case "no", "n", "false", "0":
		return Bool{Value: false, Valid: s.Valid}
	}
	return Bool{}
}

// vulRecordKey identifies a row: the same vulnerability on the same image.
func vulRecordKey(r *VulRecord) (string, bool) {
	if !r.Uuid.Valid && !r.Name.Valid && !r.PrimaryId.Valid {
		return "", false
	}
	return r.Uuid.Value + "\x00" + r.Name.Value + "\x00" + strconv.FormatInt(r.PrimaryId.Value, 10), true
}

func (r *DescribeImageVulListResponse) page() (Page[VulRecord], error) {
	return Page[VulRecord]{Items: r.VulRecords, TotalCount: r.TotalCount, PageSize: r.PageSize, RequestID: r.RequestID}, nil
}

// imageVulParams returns the parameters of a query.
func imageVulParams(q ImageVulQuery) (map[string]string, error) {
	if len(q.Uuids) > UuidsPerRequest {
		return nil, fmt.Errorf("%d Uuids, more than the %d one request carries", len(q.Uuids), UuidsPerRequest)
	}
	for _, u := range q.Uuids {
		if u == "" || strings.Contains(u, ",") {
			return nil, fmt.Errorf("an entry of Uuids is empty or has a comma: %q", u)
		}
	}
	query := map[string]string{"Type": cmp.Or(q.Type, VulTypeCVE)}
	for name, value := range map[string]string{
		"Uuids":          strings.Join(q.Uuids, ","),
		"Digest":         q.Digest,
		"RepoName":       q.RepoName,
		"RepoNamespace":  q.RepoNamespace,
		"RepoId":         q.RepoId,
		"RepoInstanceId": q.RepoInstanceId,
		"RepoRegionId":   q.RepoRegionId,
		"Name":           q.Name,
		"Necessity":      q.Necessity,
		"StatusList":     q.StatusList,
		"Lang":           q.Lang,
	} {
		if value != "" {
			query[name] = value
		}
	}
	return query, nil
}

// DescribeVulDetailsRequest asks for the CVEs behind one vulnerability name.
type DescribeVulDetailsRequest struct {
	// Name is a VulRecord Name; required.
	Name string
	// Type defaults to VulTypeCVE.
	Type string
	// Lang is "en" or "zh"; the service requires it.
	Lang      string
	AliasName string
}

// CVE is one element of DescribeVulDetails.Cves.
type CVE struct {
	CveId      String `json:"CveId"`
	OtherId    String `json:"OtherId"`
	CvssScore  Float  `json:"CvssScore"`
	CvssVector String `json:"CvssVector"`
	// VulLevel is "serious", "high", "medium" or "low".
	VulLevel String `json:"VulLevel"`
	Title    String `json:"Title"`
	Summary  String `json:"Summary"`
	// Solution may contain HTML.
	Solution  String        `json:"Solution"`
	Classify  String        `json:"Classify"`
	Classifys []CVEClassify `json:"Classifys"`
	CveLink   String        `json:"CveLink"`
	Reference String        `json:"Reference"`
	// ReleaseTime is the disclosure time in Unix milliseconds.
	ReleaseTime Int `json:"ReleaseTime"`
}

// CVEClassify is one classification of a CVE.
type CVEClassify struct {
	Classify     String `json:"Classify"`
	Description  String `json:"Description"`
	DemoVideoUrl String `json:"DemoVideoUrl"`
}

// decodeVulDetails reads a DescribeVulDetails answer. An answer with an
// empty or missing Cves is valid (the name has no known CVE); a body with
// neither RequestId nor Cves is not an answer.
func decodeVulDetails(body []byte) (Page[CVE], error) {
	var wire struct {
		RequestID *string `json:"RequestId"`
		Cves      *[]CVE  `json:"Cves"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return Page[CVE]{}, err
	}
	if wire.RequestID == nil && wire.Cves == nil {
		return Page[CVE]{}, noAnswer("RequestId or Cves", len(body))
	}
	page := Page[CVE]{Items: []CVE{}}
	if wire.RequestID != nil {
		page.RequestID = *wire.RequestID
	}
	if wire.Cves != nil && *wire.Cves != nil {
		page.Items = *wire.Cves
	}
	return page, nil
}

func vulDetailsParams(req DescribeVulDetailsRequest) (map[string]string, error) {
	if req.Name == "" {
		return nil, errors.New("the vulnerability name (Name) is required")
	}
	return nonEmpty(map[string]string{
		"Name":      req.Name,
		"Type":      cmp.Or(req.Type, VulTypeCVE),
		"Lang":      req.Lang,
		"AliasName": req.AliasName,
	}), nil
}
