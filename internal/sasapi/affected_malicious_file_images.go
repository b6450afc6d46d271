package sasapi

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ActionDescribeAffectedMaliciousFileImages lists malicious files per image.
const ActionDescribeAffectedMaliciousFileImages = "DescribeAffectedMaliciousFileImages"

// Malicious-file levels (Level, and the Levels filter), most severe first.
const (
	MaliciousLevelSerious    = "serious"
	MaliciousLevelSuspicious = "suspicious"
	MaliciousLevelRemind     = "remind"
)

// Statuses of a malicious file (Status).
const (
	MaliciousStatusUnhandled   = 0
	MaliciousStatusHandled     = 1
	MaliciousStatusVerifying   = 2
	MaliciousStatusWhitelisted = 3
)

// DescribeAffectedMaliciousFileImages lists the malicious files found in
// the images a query selects, one record per image and file. It has no
// image uuid filter (filter by digest, then keep the image's records) and
// no malware name (see DescribeGroupedMaliciousFiles). Its download link to
// the malware sample is not read.
var DescribeAffectedMaliciousFileImages = Operation[MaliciousFileQuery, MaliciousFile]{
	Action: ActionDescribeAffectedMaliciousFileImages,
	Noun:   "malicious files",
	Params: maliciousFileParams,
	Decode: decodeWith(jsonBody[describeAffectedMaliciousFileImagesResponse], func(r *describeAffectedMaliciousFileImagesResponse) (Page[MaliciousFile], error) {
		return pageInfoPage(r.RequestID, r.PageInfo, r.AffectedMaliciousFileImagesResponse), nil
	}),
	Key: maliciousFileKey,
}

// MaliciousFileQuery selects the images of the malicious-file operations.
// At least one scope field must be set; empty fields are not sent.
type MaliciousFileQuery struct {
	// ImageDigest is the bare 64-hex image digest.
	ImageDigest    string
	ImageTag       string
	RepoName       string
	RepoNamespace  string
	RepoInstanceId string
	RepoRegionId   string
	// Levels are MaliciousLevel* values, sent comma-separated.
	Levels []string
	// MaliciousMd5 is one sample's MD5.
	MaliciousMd5 string
	// Lang is "en" or "zh" (the service's default).
	Lang string
}

// MaliciousFile is one malicious file of one image.
type MaliciousFile struct {
	// ImageUuid is the image record's Uuid, the image key.
	ImageUuid String `json:"ImageUuid"`
	// Id is the alert event's id.
	Id           Int    `json:"Id"`
	MaliciousMd5 String `json:"MaliciousMd5"`
	// Level is a MaliciousLevel* value.
	Level String `json:"Level"`
	// Status is a MaliciousStatus* code.
	Status         Int    `json:"Status"`
	FilePath       String `json:"FilePath"`
	Layer          String `json:"Layer"`
	Digest         String `json:"Digest"`
	Image          String `json:"Image"`
	Tag            String `json:"Tag"`
	RepoId         String `json:"RepoId"`
	RepoInstanceId String `json:"RepoInstanceId"`
	RepoName       String `json:"RepoName"`
	RepoRegionId   String `json:"RepoRegionId"`
	// Namespace is the repository's namespace.
	Namespace String `json:"Namespace"`
	// FirstScanTimestamp, LatestScanTimestamp and LatestVerifyTimestamp
	// are Unix milliseconds.
	FirstScanTimestamp    Int `json:"FirstScanTimestamp"`
	LatestScanTimestamp   Int `json:"LatestScanTimestamp"`
	LatestVerifyTimestamp Int `json:"LatestVerifyTimestamp"`
}

type describeAffectedMaliciousFileImagesResponse struct {
	RequestID                           string          `json:"RequestId"`
	PageInfo                            *PageInfo       `json:"PageInfo"`
	AffectedMaliciousFileImagesResponse []MaliciousFile `json:"AffectedMaliciousFileImagesResponse"`
}

// maliciousFileParams returns the parameters of a query of either
// malicious-file operation: the scope and filters, and the scan range,
// which the official SDK sends as repeated keys (ScanRange.1=image).
func maliciousFileParams(q MaliciousFileQuery) (map[string]string, error) {
	if q.ImageDigest == "" && q.ImageTag == "" && q.RepoName == "" && q.RepoNamespace == "" && q.RepoInstanceId == "" && q.RepoRegionId == "" {
		return nil, errors.New("an image scope (digest, tag, repository, namespace, instance or region) is required")
	}
	for _, level := range q.Levels {
		if level == "" || strings.Contains(level, ",") {
			return nil, fmt.Errorf("Levels must be non-empty and free of commas, got %q", level)
		}
	}
	return nonEmpty(map[string]string{
		"ScanRange.1":    ScanRangeImage,
		"ImageDigest":    q.ImageDigest,
		"ImageTag":       q.ImageTag,
		"RepoName":       q.RepoName,
		"RepoNamespace":  q.RepoNamespace,
		"RepoInstanceId": q.RepoInstanceId,
		"RepoRegionId":   q.RepoRegionId,
		"Levels":         strings.Join(q.Levels, ","),
		"MaliciousMd5":   q.MaliciousMd5,
		"Lang":           q.Lang,
	}), nil
}

// maliciousFileKey identifies a record: its alert event in its image
// record (the records of one digest may share the event), or else the
// same file in the same image.
func maliciousFileKey(f *MaliciousFile) (string, bool) {
	if f.Id.Valid {
		return strconv.FormatInt(f.Id.Value, 10) + "\x00" + f.ImageUuid.Value, true
	}
	if !f.ImageUuid.Valid && !f.MaliciousMd5.Valid {
		return "", false
	}
	return "\x00" + f.ImageUuid.Value + "\x00" + f.MaliciousMd5.Value + "\x00" + f.FilePath.Value, true
}
