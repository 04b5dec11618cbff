package dynamodb

import (
	"fmt"
	"slices"
	"strings"
)

// Tag is a table tag, as DynamoDB's API spells it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// maxTags is DynamoDB's limit of tags on one resource.
const maxTags = 50

func (s *Service) tableARN(m tableMeta) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", m.Region, s.account, m.Name)
}

// tableByARN finds the table an ARN names; tags live only on tables here.
func (s *Service) tableByARN(region, arn string) (*table, *apiError) {
	if arn == "" {
		return nil, validation("1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
		return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	name := strings.TrimPrefix(parts[5], "table/")
	t := s.st.table(parts[3], name)
	if t == nil || parts[4] != s.account || parts[3] != region {
		return nil, notFound("Requested resource not found: ResourceArn: %s not found", arn)
	}
	return t, nil
}

// mergeTags sets add's tags over have's, checking DynamoDB's limits.
func mergeTags(have, add []Tag) ([]Tag, *apiError) {
	out := slices.Clone(have)
	for _, t := range add {
		if len(t.Key) < 1 || len(t.Key) > 128 {
			return nil, validation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
		}
		if len(t.Value) > 256 {
			return nil, validation("1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", t.Value)
		}
		if strings.HasPrefix(t.Key, "aws:") {
			return nil, validation("One or more parameter values were invalid: Tag keys starting with aws: are reserved for AWS use")
		}
		if i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, validation("One or more parameter values were invalid: Too many tags: a resource can have at most %d", maxTags)
	}
	return out, nil
}

type tagResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []Tag  `json:"Tags"`
}

func (s *Service) tagResource(region string, in *tagResourceInput) (any, *apiError) {
	t, err := s.tableByARN(region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	tags, err := mergeTags(t.meta.Tags, in.Tags)
	if err != nil {
		return nil, err
	}
	return s.setTags(t, tags)
}

type untagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

func (s *Service) untagResource(region string, in *untagResourceInput) (any, *apiError) {
	t, err := s.tableByARN(region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	tags := slices.DeleteFunc(slices.Clone(t.meta.Tags), func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	return s.setTags(t, tags)
}

func (s *Service) setTags(t *table, tags []Tag) (any, *apiError) {
	next := *t
	next.meta.Tags = tags
	if err := s.st.putTable(&next, false); err != nil {
		return nil, internal(err)
	}
	return struct{}{}, nil
}

type listTagsInput struct {
	ResourceArn string `json:"ResourceArn"`
	NextToken   string `json:"NextToken"`
}

// listTagsOfResource answers every tag in one page: a table has at most
// 50, and DynamoDB pages by 10 only when asked with a token it issued.
func (s *Service) listTagsOfResource(region string, in *listTagsInput) (any, *apiError) {
	t, err := s.tableByARN(region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		return nil, validation("Invalid NextToken: %s", in.NextToken)
	}
	tags := t.meta.Tags
	if tags == nil {
		tags = []Tag{}
	}
	return map[string]any{"Tags": tags}, nil
}

// describeContinuousBackups reports backups on and point-in-time
// recovery off, as DynamoDB does for every new table; the simulator has
// no point-in-time recovery to turn on.
func (s *Service) describeContinuousBackups(region string, in *tableNameInput) (any, *apiError) {
	if in.TableName == "" {
		return nil, validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	if s.st.table(region, in.TableName) == nil {
		return nil, &apiError{Type: nsDynamo + "TableNotFoundException", Message: "Table not found: " + in.TableName, Status: 400}
	}
	return map[string]any{"ContinuousBackupsDescription": map[string]any{
		"ContinuousBackupsStatus":        "ENABLED",
		"PointInTimeRecoveryDescription": map[string]string{"PointInTimeRecoveryStatus": "DISABLED"},
	}}, nil
}
