package cli

import (
	"context"
	"flag"
	"fmt"
	"html"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui/shot"
)

func init() {
	Register(Command{Name: "screenshot", Summary: "render a kiosk screen in a language to a PNG (no display needed)", Run: runScreenshot})
}

func runScreenshot(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("screenshot", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	lang := fs.String("lang", string(i18n.Default), "language code (ja, en, th, …)")
	screen := fs.String("screen", "", "screen name; --list shows them")
	out := fs.String("out", "", "PNG file to write")
	large := fs.Bool("large-text", false, "large-text mode")
	contrast := fs.Bool("high-contrast", false, "high-contrast mode")
	list := fs.Bool("list", false, "list screen names and languages, one per line")
	all := fs.String("all", "", "write every screen in every language into this folder, with index.html")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *list {
		for _, s := range shot.Screens() {
			fmt.Fprintln(env.Stdout, "screen", s)
		}
		for _, l := range i18n.All() {
			fmt.Fprintln(env.Stdout, "lang", l.Code)
		}
		return nil
	}
	if *all != "" {
		return screenshotAll(ctx, env, *all)
	}
	if *screen == "" || *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: screenshot --lang L --screen S --out F.png [--large-text] [--high-contrast]", ErrUsage)
	}
	l, err := i18n.Parse(*lang)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	img, err := shot.Render(shot.Options{Lang: l, Screen: *screen, LargeText: *large, HighContrast: *contrast})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return writePNG(*out, img)
}

func writePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// screenshotAll writes every screen in every language at normal and large
// text (long words wrap differently at each size), the high-contrast mode in
// Japanese and English, and an index page.
func screenshotAll(ctx context.Context, env *Env, dir string) error {
	type shotFile struct{ Lang, Screen, Mode, File string }
	var files []shotFile
	modes := []struct {
		name            string
		large, contrast bool
	}{{"normal", false, false}, {"large", true, false}, {"contrast", false, true}}
	for _, l := range i18n.All() {
		for _, m := range modes {
			if m.contrast && l.Code != i18n.Japanese && l.Code != i18n.English {
				continue
			}
			for _, sc := range shot.Screens() {
				if err := ctx.Err(); err != nil {
					return err
				}
				img, err := shot.Render(shot.Options{Lang: l.Code, Screen: sc, LargeText: m.large, HighContrast: m.contrast})
				if err != nil {
					return err
				}
				name := fmt.Sprintf("%s/%s-%s.png", l.Code, sc, m.name)
				if err := writePNG(filepath.Join(dir, name), img); err != nil {
					return err
				}
				files = append(files, shotFile{string(l.Code), sc, m.name, name})
			}
		}
	}
	var b strings.Builder
	b.WriteString("<!doctype html><meta charset=utf-8><title>uketsuke screens</title>" +
		"<style>body{font-family:sans-serif}figure{display:inline-block;margin:6px}img{width:320px;border:1px solid #888}</style>\n")
	lang := ""
	for _, f := range files {
		if f.Lang != lang {
			lang = f.Lang
			fmt.Fprintf(&b, "<h2 id=%q>%s (%s)</h2>\n", lang, html.EscapeString(i18n.Lang(lang).Name()), lang)
		}
		fmt.Fprintf(&b, "<figure><a href=%q><img loading=lazy src=%q></a><figcaption>%s · %s</figcaption></figure>\n",
			f.File, f.File, html.EscapeString(f.Screen), f.Mode)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "screenshot: %d screens written to %s (index.html)\n", len(files), dir)
	return nil
}
