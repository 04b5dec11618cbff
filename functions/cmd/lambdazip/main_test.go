package main

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestZipIsRunnableAndReproducible builds a package twice into zips and
// checks what Lambda and Terraform rely on: one entry named bootstrap,
// executable, a Linux ELF for the asked architecture, and the same bytes
// both times (so source_code_hash is stable).
func TestZipIsRunnableAndReproducible(t *testing.T) {
	for _, tc := range []struct {
		arch    string
		machine elf.Machine
	}{
		{"amd64", elf.EM_X86_64},
		{"arm64", elf.EM_AARCH64},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.zip"), filepath.Join(dir, "b.zip")
			for _, out := range []string{a, b} {
				if err := run(t.Context(), "./testdata/hello", tc.arch, "-s -w", out); err != nil {
					t.Fatal(err)
				}
			}
			za, _ := os.ReadFile(a)
			zb, _ := os.ReadFile(b)
			if !bytes.Equal(za, zb) {
				t.Error("two builds of the same code gave different zips")
			}
			zr, err := zip.NewReader(bytes.NewReader(za), int64(len(za)))
			if err != nil {
				t.Fatal(err)
			}
			if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
				t.Fatalf("entries = %v, want just bootstrap", zr.File)
			}
			if m := zr.File[0].Mode(); m.Perm() != 0o755 || !m.IsRegular() {
				t.Errorf("mode = %v, want -rwxr-xr-x", m)
			}
			rc, err := zr.File[0].Open()
			if err != nil {
				t.Fatal(err)
			}
			exe, _ := io.ReadAll(rc)
			rc.Close()
			f, err := elf.NewFile(bytes.NewReader(exe))
			if err != nil {
				t.Fatalf("bootstrap is not an ELF executable: %v", err)
			}
			if f.Machine != tc.machine || f.OSABI != elf.ELFOSABI_NONE {
				t.Errorf("ELF machine %v, OS ABI %v; want %v for Linux", f.Machine, f.OSABI, tc.machine)
			}
		})
	}
}

func TestRejects(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ pkg, arch string }{
		"unknown architecture":      {"./testdata/hello", "386"},
		"package that is not there": {"./testdata/missing", "amd64"},
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, "out.zip")
			if err := run(t.Context(), tc.pkg, tc.arch, "-s -w", out); err == nil {
				t.Fatal("no error")
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a zip was written despite the error")
			}
		})
	}
}
