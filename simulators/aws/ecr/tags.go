package ecr

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

// Tag is a repository tag, as ECR's API spells it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// maxTags is ECR's limit of tags on one repository.
const maxTags = 50

func (s *Service) repoARN(r *repo) string {
	return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", r.Region, s.account, r.Name)
}

// repoByARN finds the repository an ARN names: only repositories carry
// tags in ECR.
func (s *Service) repoByARN(region, arn string) (*repo, *awsjson.Error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecr" || !strings.HasPrefix(parts[5], "repository/") {
		return nil, invalid("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'")
	}
	name := strings.TrimPrefix(parts[5], "repository/")
	r := s.st.repos[repoKey(parts[3], name)]
	if r == nil || parts[3] != region || parts[4] != s.account {
		return nil, s.repoNotFound(name)
	}
	return r, nil
}

func mergeTags(have, add []Tag) ([]Tag, *awsjson.Error) {
	out := slices.Clone(have)
	for _, t := range add {
		if len(t.Key) < 1 || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, awsjson.BadRequest("InvalidTagParameterException", fmt.Sprintf("Invalid tag: key %q must be 1-128 and its value at most 256 characters", t.Key))
		}
		if strings.HasPrefix(t.Key, "aws:") {
			return nil, awsjson.BadRequest("InvalidTagParameterException", "Tag keys starting with aws: are reserved")
		}
		if i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, awsjson.BadRequest("TooManyTagsException", fmt.Sprintf("A repository can have at most %d tags", maxTags))
	}
	return out, nil
}

type tagIn struct {
	ResourceArn string `json:"resourceArn"`
	Tags        []Tag  `json:"tags"`
}

func (s *Service) tagResource(region string, in *tagIn) (struct{}, *awsjson.Error) {
	r, aerr := s.repoByARN(region, in.ResourceArn)
	if aerr != nil {
		return struct{}{}, aerr
	}
	tags, aerr := mergeTags(r.Tags, in.Tags)
	if aerr != nil {
		return struct{}{}, aerr
	}
	return struct{}{}, s.setTags(r, tags)
}

type untagIn struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func (s *Service) untagResource(region string, in *untagIn) (struct{}, *awsjson.Error) {
	r, aerr := s.repoByARN(region, in.ResourceArn)
	if aerr != nil {
		return struct{}{}, aerr
	}
	tags := slices.DeleteFunc(slices.Clone(r.Tags), func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	return struct{}{}, s.setTags(r, tags)
}

func (s *Service) setTags(r *repo, tags []Tag) *awsjson.Error {
	next := *r
	next.Tags = tags
	if err := s.st.putRepo(&next); err != nil {
		return internal(err)
	}
	return nil
}

type listTagsIn struct {
	ResourceArn string `json:"resourceArn"`
}

type listTagsOut struct {
	Tags []Tag `json:"tags"`
}

func (s *Service) listTagsForResource(region string, in *listTagsIn) (listTagsOut, *awsjson.Error) {
	r, aerr := s.repoByARN(region, in.ResourceArn)
	if aerr != nil {
		return listTagsOut{}, aerr
	}
	return listTagsOut{Tags: append([]Tag{}, r.Tags...)}, nil
}
