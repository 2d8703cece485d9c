// Package printer prints reception tickets (受付票) on ESC/POS thermal
// receipt printers with Japanese Kanji mode (EPSON TM-T88 Japanese models
// and compatibles), over the network (raw TCP, port 9100) or a USB printer
// class device (/dev/usb/lpN). It implements revisit.Printer.
//
// The ESC/POS encoder is written here by hand: no Go ESC/POS library
// handles Japanese Kanji mode (kenshaw/escpos, hennedo/escpos,
// joeyak/go-escpos and mect/go-escpos were checked), and a ticket needs only
// a dozen commands: ESC @, ESC t, FS C, FS & / FS ., ESC a, GS !, LF, ESC d,
// the QR code commands GS ( k and GS V. Text goes through Shift_JIS
// (golang.org/x/text); a character Shift_JIS lacks is refused, never
// printed as garbage. The printer's state comes from the real-time status
// commands (DLE EOT n), and a ticket counts as printed only after the
// printer answered GS r 1, which it processes in order, after the cut.
//
// printertest, beside this package, is a printer that records, parses and
// renders what it is sent.
package printer
