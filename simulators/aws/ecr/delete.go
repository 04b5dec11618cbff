package ecr

import (
	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

type batchDeleteIn struct {
	RegistryID     string    `json:"registryId"`
	RepositoryName string    `json:"repositoryName"`
	ImageIDs       []imageID `json:"imageIds"`
}

type deleteFailure struct {
	ImageID       imageID `json:"imageId"`
	FailureCode   string  `json:"failureCode"`
	FailureReason string  `json:"failureReason"`
}

type batchDeleteOut struct {
	ImageIDs []imageID       `json:"imageIds"`
	Failures []deleteFailure `json:"failures"`
}

// batchDeleteImage deletes images as ECR does: by digest, the image and
// every tag on it; by tag, the tag, and the image with its last tag.
func (s *Service) batchDeleteImage(region string, in *batchDeleteIn) (batchDeleteOut, *awsjson.Error) {
	if aerr := checkName(in.RepositoryName); aerr != nil {
		return batchDeleteOut{}, aerr
	}
	if s.St.repos[repoKey(region, in.RepositoryName)] == nil {
		return batchDeleteOut{}, s.repoNotFound(in.RepositoryName)
	}
	if len(in.ImageIDs) == 0 || len(in.ImageIDs) > 100 {
		return batchDeleteOut{}, invalid("1 validation error detected: Value at 'imageIds' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	out := batchDeleteOut{ImageIDs: []imageID{}, Failures: []deleteFailure{}}
	for _, id := range in.ImageIDs {
		digest, tags, fail := s.resolve(in.RepositoryName, id)
		if fail != nil {
			out.Failures = append(out.Failures, *fail)
			continue
		}
		drop := tags
		if id.ImageTag != "" {
			drop = []string{id.ImageTag}
		}
		for _, tag := range drop {
			if err := s.deleteRef(in.RepositoryName, tag); err != nil {
				return batchDeleteOut{}, internal(err)
			}
			out.ImageIDs = append(out.ImageIDs, imageID{ImageDigest: digest, ImageTag: tag})
		}
		if id.ImageTag == "" || len(tags) == 1 {
			if err := s.deleteRef(in.RepositoryName, digest); err != nil {
				return batchDeleteOut{}, internal(err)
			}
			if id.ImageTag == "" && len(tags) == 0 {
				out.ImageIDs = append(out.ImageIDs, imageID{ImageDigest: digest})
			}
		}
	}
	return out, nil
}

// resolve finds the image id names: its digest and its tags.
func (s *Service) resolve(repo string, id imageID) (string, []string, *deleteFailure) {
	notFound := &deleteFailure{ImageID: id, FailureCode: "ImageNotFound", FailureReason: "Requested image not found"}
	digest := id.ImageDigest
	if id.ImageTag != "" {
		m := s.registry.Manifest(repo, id.ImageTag)
		if m == nil {
			return "", nil, notFound
		}
		if digest != "" && digest != m.Digest() {
			return "", nil, &deleteFailure{ImageID: id, FailureCode: "ImageTagDoesNotMatchDigest", FailureReason: "Invalid image digest for tag " + id.ImageTag}
		}
		digest = m.Digest()
	}
	var tags []string
	found := false
	for _, m := range s.registry.Images(repo) {
		if m.Digest() != digest {
			continue
		}
		found = true
		if m.Ref != digest {
			tags = append(tags, m.Ref)
		}
	}
	if !found {
		return "", nil, notFound
	}
	return digest, tags, nil
}

// deleteRef deletes one tag or digest reference from the registry.
func (s *Service) deleteRef(repo, ref string) error { return s.registry.DeleteRef(repo, ref) }
