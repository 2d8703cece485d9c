package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "revisit import",
		Summary: "import a clinic's 診察券番号 from CSV (docs/revisit.md): revisit import --config FILE --csv FILE [--dry-run] [--skip-refused] [--encoding auto|utf-8|shift_jis]",
		Run:     runRevisitImport})
}

// runRevisitImport reads the CSV into the correspondence table and prints
// the report: counts, and refused lines by number and field, never a value.
func runRevisitImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("revisit import", env)
	configFile := fs.String("config", "", "the kiosk's configuration: its parts.revisit names the database and key files")
	database := fs.String("database", "", "the re-visit database URL (sqlite:PATH or postgres://…), the kiosk's")
	codeKeys := fs.String("code-keys", "", "the code key file, the kiosk's (ID BASE64 lines, 0600)")
	dataKeys := fs.String("data-keys", "", "the data key file, the kiosk's (ID BASE64 lines, 0600)")
	csvFile := fs.String("csv", "", "the clinic's export (header row required; UTF-8 or Shift_JIS)")
	encoding := fs.String("encoding", "auto", "auto (UTF-8 when valid, else Shift_JIS), utf-8 or shift_jis")
	dryRun := fs.Bool("dry-run", false, "check and count, write nothing")
	skipRefused := fs.Bool("skip-refused", false, "write the valid lines even when some are refused (default: all or nothing)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := wire.RevisitBookFiles{DatabaseURL: *database, CodeKeysFile: *codeKeys, DataKeysFile: *dataKeys}
	explicit := *database != "" || *codeKeys != "" || *dataKeys != ""
	switch {
	case *csvFile == "" || *configFile == "" && (*database == "" || *codeKeys == "" || *dataKeys == ""):
		return fmt.Errorf("%w: revisit import --config FILE --csv FILE (or --database, --code-keys and --data-keys instead of --config)", ErrUsage)
	case *configFile != "" && explicit:
		return fmt.Errorf("%w: --config or --database/--code-keys/--data-keys, not both", ErrUsage)
	case *configFile != "":
		c, err := config.Load(*configFile)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", wire.ErrConfig, *configFile, err)
		}
		if files, err = wire.RevisitBookFilesOf(c); err != nil {
			return err
		}
	}
	enc, err := revisit.ParseEncoding(*encoding)
	if err != nil {
		return fmt.Errorf("%w: --encoding: %v", ErrUsage, err)
	}
	f, err := os.Open(*csvFile)
	if err != nil {
		return err
	}
	defer f.Close()
	book, err := wire.OpenRevisitBook(ctx, files)
	if err != nil {
		return err
	}
	defer book.Close()
	rep, err := book.ImportWith(ctx, f, revisit.ImportOptions{Encoding: enc, DryRun: *dryRun, SkipRefused: *skipRefused})
	if errors.Is(err, revisit.ErrImport) {
		return err // the file as a whole: its encoding, header or CSV syntax
	}
	printImportReport(env, rep, *dryRun)
	if errors.Is(err, revisit.ErrImportRefused) {
		return fmt.Errorf("%w (fix the lines above, or run again with --skip-refused)", err)
	}
	return err
}

func printImportReport(env *Env, rep revisit.ImportReport, dryRun bool) {
	fmt.Fprintf(env.Stdout, "encoding %s, %d lines: %d added, %d updated, %d unchanged, %d refused\n",
		rep.Encoding, rep.Lines, rep.Added, rep.Updated, rep.Unchanged, len(rep.Refused))
	for _, r := range rep.Refused {
		field := r.Field
		if field == "" {
			field = "line"
		}
		fmt.Fprintf(env.Stdout, "  line %d: %s: %s\n", r.Line, field, r.Reason)
	}
	switch {
	case dryRun:
		fmt.Fprintln(env.Stdout, "dry run: nothing written")
	case rep.Committed:
		fmt.Fprintln(env.Stdout, "written")
	default:
		fmt.Fprintln(env.Stdout, "nothing written")
	}
}
