package sasapi

import "errors"

// ActionDescribeImageSensitiveFileByKey lists the files of one secret type
// in an image.
const ActionDescribeImageSensitiveFileByKey = "DescribeImageSensitiveFileByKey"

// DescribeImageSensitiveFileByKey lists the files of one secret type found
// in one image, de-duplicated by path, layer and MD5.
var DescribeImageSensitiveFileByKey = Operation[SensitiveFileKeyQuery, SensitiveFile]{
	Action: ActionDescribeImageSensitiveFileByKey,
	Noun:   "secret files",
	Params: sensitiveFileByKeyParams,
	Decode: decodeWith(jsonBody[describeImageSensitiveFileByKeyResponse], (*describeImageSensitiveFileByKeyResponse).page),
	Key:    sensitiveFileKey,
}

// SensitiveFileKeyQuery selects the files of one secret type of one image.
type SensitiveFileKeyQuery struct {
	// ImageUuid is the image record's Uuid; required: the files carry no
	// image identifier, so files of several images could not be told apart.
	ImageUuid string
	// SensitiveFileKey is the type's key, such as "aws_access_key"; required.
	SensitiveFileKey string
	// Lang is "en" or "zh" (the service's default).
	Lang string
}

// SensitiveFile is one file of a secret type in an image.
type SensitiveFile struct {
	FilePath String `json:"FilePath"`
	// LayerDigest is the digest of the layer holding the file.
	LayerDigest String `json:"LayerDigest"`
	Md5         String `json:"Md5"`
	// Promt (sic) is the matched secret as the service masks it: still part
	// of a live credential, so a Secret.
	Promt             Secret `json:"Promt"`
	SensitiveFileKey  String `json:"SensitiveFileKey"`
	SensitiveFileName String `json:"SensitiveFileName"`
	RiskLevel         String `json:"RiskLevel"`
	// FirstScanTime and LastScanTime are Unix milliseconds.
	FirstScanTime Int    `json:"FirstScanTime"`
	LastScanTime  Int    `json:"LastScanTime"`
	Description   String `json:"Description"`
	Advice        String `json:"Advice"`
}

type describeImageSensitiveFileByKeyResponse struct {
	envelope
	PageInfo          *PageInfo       `json:"PageInfo"`
	SensitiveFileList []SensitiveFile `json:"SensitiveFileList"`
}

func (r *describeImageSensitiveFileByKeyResponse) page() (Page[SensitiveFile], error) {
	if err := r.failure(); err != nil {
		return Page[SensitiveFile]{}, err
	}
	return pageInfoPage(r.RequestID, r.PageInfo, r.SensitiveFileList), nil
}

func sensitiveFileByKeyParams(q SensitiveFileKeyQuery) (map[string]string, error) {
	if q.ImageUuid == "" || q.SensitiveFileKey == "" {
		return nil, errors.New("ImageUuid and SensitiveFileKey are required")
	}
	params, err := imageScanRangeJSON()
	if err != nil {
		return nil, err
	}
	params["ImageUuid"] = q.ImageUuid
	params["SensitiveFileKey"] = q.SensitiveFileKey
	params["Lang"] = q.Lang
	return nonEmpty(params), nil
}

// sensitiveFileKey identifies a file: the same path in the same layer with
// the same content.
func sensitiveFileKey(f *SensitiveFile) (string, bool) {
	if !f.FilePath.Valid {
		return "", false
	}
	return f.FilePath.Value + "\x00" + f.LayerDigest.Value + "\x00" + f.Md5.Value, true
}
