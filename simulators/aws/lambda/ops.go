package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/reqid"
)

type codeInput struct {
	ZipFile  []byte `json:"ZipFile"`
	S3Bucket string `json:"S3Bucket"`
	ImageURI string `json:"ImageUri"`
}

type createInput struct {
	FunctionName string             `json:"FunctionName"`
	Runtime      string             `json:"Runtime"`
	Role         string             `json:"Role"`
	Handler      string             `json:"Handler"`
	Description  string             `json:"Description"`
	Timeout      *int               `json:"Timeout"`
	MemorySize   *int               `json:"MemorySize"`
	Publish      bool               `json:"Publish"`
	PackageType  string             `json:"PackageType"`
	Code         codeInput          `json:"Code"`
	Environment  *environment       `json:"Environment"`
	ImageConfig  *imageConfig       `json:"ImageConfig"`
	Tags         map[string]string  `json:"Tags"`
	Logging      *loggingInput      `json:"LoggingConfig"`
	FileSystems  []fileSystemConfig `json:"FileSystemConfigs"`
	VPC          *vpcConfig         `json:"VpcConfig"`
}

type updateConfigInput struct {
	Role        *string             `json:"Role"`
	Handler     *string             `json:"Handler"`
	Description *string             `json:"Description"`
	Runtime     *string             `json:"Runtime"`
	Timeout     *int                `json:"Timeout"`
	MemorySize  *int                `json:"MemorySize"`
	Environment *environment        `json:"Environment"`
	ImageConfig *imageConfig        `json:"ImageConfig"`
	Logging     *loggingInput       `json:"LoggingConfig"`
	RevisionID  string              `json:"RevisionId"`
	FileSystems *[]fileSystemConfig `json:"FileSystemConfigs"`
	VPC         *vpcConfig          `json:"VpcConfig"`
}

type updateCodeInput struct {
	ZipFile    []byte `json:"ZipFile"`
	S3Bucket   string `json:"S3Bucket"`
	ImageURI   string `json:"ImageUri"`
	Publish    bool   `json:"Publish"`
	DryRun     bool   `json:"DryRun"`
	RevisionID string `json:"RevisionId"`
}

// checkCode accepts inline zips for Zip functions (S3 is not simulated,
// and saying so beats pretending) and only ImageUri for Image ones.
// verb is "creating" or "updating", as Lambda words the message.
func checkCode(verb, packageType string, zip []byte, s3Bucket, image string) error {
	if packageType == "Image" {
		if image == "" || len(zip) > 0 || s3Bucket != "" {
			return invalidParam("Please provide ImageUri when %s a function with packageType Image.", verb)
		}
		return nil
	}
	switch {
	case image != "":
		return invalidParam("Please don't provide ImageUri when %s a function with packageType Zip.", verb)
	case s3Bucket != "":
		return invalidParam("awssim: code from S3 is not simulated; upload a zip in Code.ZipFile")
	case len(zip) == 0:
		return invalidParam("Please provide a source for function code.")
	}
	return checkZip(zip)
}

func (s *Service) create(ctx context.Context, region string, in createInput) (Configuration, error) {
	if _, _, err := parseName(in.FunctionName); err != nil {
		return Configuration{}, err
	}
	if !nameRE.MatchString(in.FunctionName) {
		return Configuration{}, validation(in.FunctionName, "functionName", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+")
	}
	image := in.PackageType == "Image"
	if in.PackageType != "" && in.PackageType != "Zip" && !image {
		return Configuration{}, validation(in.PackageType, "packageType", "Member must satisfy enum value set: [Image, Zip]")
	}
	if in.Publish {
		return Configuration{}, invalidParam("awssim: published versions are not simulated; create with Publish false ($LATEST only)")
	}
	timeout, memory := 3, 128
	if in.Timeout != nil {
		timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		memory = *in.MemorySize
	}
	runtimeErr := checkRuntime(in.Runtime)
	if image {
		runtimeErr = nil // the image brings its own runtime
	}
	for _, err := range []error{checkTags(in.Tags), checkRole(in.Role), runtimeErr, checkTimeout(timeout), checkMemory(memory), checkEnv(in.Environment), checkFileSystems(in.FileSystems, in.VPC), checkCode("creating", in.PackageType, in.Code.ZipFile, in.Code.S3Bucket, in.Code.ImageURI)} {
		if err != nil {
			return Configuration{}, err
		}
	}
	sum := sha256.Sum256(in.Code.ZipFile)
	f := &function{Region: region, CodeHex: hex.EncodeToString(sum[:]), Tags: maps.Clone(in.Tags), logs: newLogRing(1000)}
	if image {
		resolved, digest, err := s.resolveImage(ctx, in.Code.ImageURI)
		if err != nil {
			return Configuration{}, err
		}
		f.CodeHex, f.ImageURI, f.ResolvedImageURI = digest, in.Code.ImageURI, resolved
		in.Runtime, in.Handler = "", ""
	}
	f.Config = Configuration{
		FunctionName:      in.FunctionName,
		FunctionArn:       functionARN(region, s.opts.AccountID, in.FunctionName),
		Runtime:           in.Runtime,
		Role:              in.Role,
		Handler:           in.Handler,
		CodeSize:          int64(len(in.Code.ZipFile)),
		Description:       in.Description,
		Timeout:           timeout,
		MemorySize:        memory,
		CodeSha256:        base64.StdEncoding.EncodeToString(sum[:]),
		Version:           "$LATEST",
		Environment:       copyEnv(in.Environment),
		TracingConfig:     map[string]string{"Mode": "PassThrough"},
		State:             "Active",
		LastUpdateStatus:  "Successful",
		PackageType:       "Zip",
		Architectures:     []string{"x86_64"},
		EphemeralStorage:  map[string]int{"Size": 512},
		FileSystemConfigs: in.FileSystems,
		VpcConfig:         copyVPC(in.VPC),
	}
	logging, err := applyLogging(map[string]string{"LogFormat": "Text", "LogGroup": "/aws/lambda/" + in.FunctionName}, in.Logging)
	if err != nil {
		return Configuration{}, err
	}
	f.Config.LoggingConfig = logging
	if image {
		f.Config.PackageType = "Image"
		f.Config.CodeSha256 = f.CodeHex // Lambda reports the image digest
		f.Config.CodeSize = 0
		f.Config.ImageConfigResponse = responseOf(in.ImageConfig)
	}
	touch(&f.Config)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fns[key(region, in.FunctionName)] != nil {
		return Configuration{}, conflict("Function already exist: %s", in.FunctionName)
	}
	if !image {
		if err := s.writeCode(region, in.FunctionName, f.CodeHex, in.Code.ZipFile); err != nil {
			return Configuration{}, err
		}
	}
	if err := s.save(f); err != nil {
		return Configuration{}, err
	}
	s.fns[key(region, in.FunctionName)] = f
	return f.Config, nil
}

func (s *Service) get(region, ref string) (Configuration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return Configuration{}, err
	}
	return f.Config, nil
}

// update applies change to a copy of the function, persists it and swaps
// it in; running instances of the old revision finish and are retired.
func (s *Service) update(region, ref, revision string, change func(*function) error) (Configuration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return Configuration{}, err
	}
	if revision != "" && revision != f.Config.RevisionID {
		return Configuration{}, &apiError{Status: 412, Code: "PreconditionFailedException", Message: "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}
	}
	next := *f
	next.Config.Environment = copyEnv(f.Config.Environment)
	next.pool = nil
	if err := change(&next); err != nil {
		return Configuration{}, err
	}
	touch(&next.Config)
	if err := s.save(&next); err != nil {
		return Configuration{}, err
	}
	if f.pool != nil {
		f.pool.retire(false)
	}
	s.fns[key(region, next.Config.FunctionName)] = &next
	return next.Config, nil
}

func (s *Service) updateConfig(region, ref string, in updateConfigInput) (Configuration, error) {
	return s.update(region, ref, in.RevisionID, func(f *function) error {
		c := &f.Config
		if in.Role != nil {
			if err := checkRole(*in.Role); err != nil {
				return err
			}
			c.Role = *in.Role
		}
		if in.Runtime != nil {
			if err := checkRuntime(*in.Runtime); err != nil {
				return err
			}
			c.Runtime = *in.Runtime
		}
		if in.Timeout != nil {
			if err := checkTimeout(*in.Timeout); err != nil {
				return err
			}
			c.Timeout = *in.Timeout
		}
		if in.MemorySize != nil {
			if err := checkMemory(*in.MemorySize); err != nil {
				return err
			}
			c.MemorySize = *in.MemorySize
		}
		if in.Environment != nil {
			if err := checkEnv(in.Environment); err != nil {
				return err
			}
			c.Environment = copyEnv(in.Environment)
		}
		if in.VPC != nil {
			c.VpcConfig = copyVPC(in.VPC)
		}
		if in.FileSystems != nil {
			if err := checkFileSystems(*in.FileSystems, c.VpcConfig); err != nil {
				return err
			}
			c.FileSystemConfigs = *in.FileSystems
		}
		if in.Logging != nil {
			logging, err := applyLogging(c.LoggingConfig, in.Logging)
			if err != nil {
				return err
			}
			c.LoggingConfig = logging
		}
		if in.Handler != nil {
			c.Handler = *in.Handler
		}
		if in.Description != nil {
			c.Description = *in.Description
		}
		if in.ImageConfig != nil {
			if c.PackageType != "Image" {
				return invalidParam("Please don't provide ImageConfig when updating a function with packageType Zip.")
			}
			c.ImageConfigResponse = responseOf(in.ImageConfig)
		}
		return nil
	})
}

func (s *Service) updateCode(ctx context.Context, region, ref string, in updateCodeInput) (Configuration, error) {
	if in.Publish {
		return Configuration{}, invalidParam("awssim: published versions are not simulated ($LATEST only)")
	}
	cur, err := s.get(region, ref)
	if err != nil {
		return Configuration{}, err
	}
	if err := checkCode("updating", cur.PackageType, in.ZipFile, in.S3Bucket, in.ImageURI); err != nil {
		return Configuration{}, err
	}
	var resolved, digest string
	if cur.PackageType == "Image" {
		// Resolved outside the lock: it asks the registry over HTTP.
		if resolved, digest, err = s.resolveImage(ctx, in.ImageURI); err != nil {
			return Configuration{}, err
		}
	}
	if in.DryRun {
		return cur, nil
	}
	return s.update(region, ref, in.RevisionID, func(f *function) error {
		if f.Config.PackageType != cur.PackageType {
			return conflict("The function changed while its code was being updated; try again")
		}
		if f.Config.PackageType == "Image" {
			f.CodeHex, f.ImageURI, f.ResolvedImageURI = digest, in.ImageURI, resolved
			f.Config.CodeSha256 = digest
			return nil
		}
		sum := sha256.Sum256(in.ZipFile)
		f.CodeHex = hex.EncodeToString(sum[:])
		f.Config.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
		f.Config.CodeSize = int64(len(in.ZipFile))
		return s.writeCode(region, f.Config.FunctionName, f.CodeHex, in.ZipFile)
	})
}

func (s *Service) delete(region, ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return err
	}
	name := f.Config.FunctionName
	if err := s.remove(region, name); err != nil {
		return err
	}
	delete(s.fns, key(region, name))
	if f.pool != nil {
		f.pool.retire(false)
	}
	os.RemoveAll(filepath.Join(s.dir, "code", region, name))
	return nil
}

func copyEnv(e *environment) *environment {
	if e == nil {
		return nil
	}
	return &environment{Variables: maps.Clone(e.Variables)}
}

// touch stamps a change the way Lambda does: a new LastModified and
// RevisionId.
func touch(c *Configuration) {
	c.LastModified = time.Now().UTC().Format("2006-01-02T15:04:05.000-0700")
	c.RevisionID = reqid.New()
}
