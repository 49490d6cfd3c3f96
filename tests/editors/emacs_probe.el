;;; emacs_probe.el --- drive eglot with editors/emacs/zcsec.el  -*- lexical-binding: t -*-
;; Opens the files named in ZCSEC_PROBE_FILES (separated by ;), waits for
;; zcsec's diagnostics (flymake), asks for completion after "<" and applies
;; a quick fix, and writes what it saw as JSON to ZCSEC_PROBE_OUT.
(require 'json)
(require 'cl-lib)
(let ((out nil) (files nil) (servers nil))
  (condition-case err
      (progn
        (dolist (path (split-string (getenv "ZCSEC_PROBE_FILES") ";" t))
          (let ((buf (find-file-noselect path)))
            (with-current-buffer buf
              ;; eglot-ensure connects from post-command-hook: run it, as the
              ;; command loop would after the file is visited.
              (run-hooks 'post-command-hook)
              (let ((deadline (+ (float-time) 30)) (diags nil))
                (while (and (< (float-time) deadline) (null diags))
                  (accept-process-output nil 0.1)
                  ;; Flymake checks on idle timers, which batch Emacs runs
                  ;; only while it waits; ask it to check, as idle time would.
                  (when (bound-and-true-p flymake-mode) (flymake-start))
                  (setq diags (flymake-diagnostics)))
                (push (list (cons 'path path)
                            (cons 'mode (symbol-name major-mode))
                            (cons 'server (and (eglot-current-server) (format "%s" (project-root (eglot--project (eglot-current-server))))))
                            (cons 'diagnostics
                                  (vconcat (mapcar (lambda (d)
                                                     (list (cons 'text (flymake-diagnostic-text d))
                                                           (cons 'at (buffer-substring-no-properties (flymake-diagnostic-beg d) (min (flymake-diagnostic-end d) (point-max))))))
                                                   diags))))
                      files)
                (push (eglot-current-server) servers)))))
        (push (cons 'files (vconcat (nreverse files))) out)
        (push (cons 'servers (length (delete-dups (delq nil servers)))) out)
        ;; Hover on the connection, and the quick fix of attribute-name-case
        ;; applied through eglot's own edit code.
        (with-current-buffer (find-file-noselect (getenv "ZCSEC_PROBE_MAIN"))
          (goto-char (point-min))
          (search-forward "<zosconnect_cicsIpicConnection")
          (backward-char 5)
          (let ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover (eglot--TextDocumentPositionParams))))
            (push (cons 'hover (or (plist-get (plist-get hover :contents) :value) "")) out))
          (goto-char (point-min))
          (search-forward " User=")
          (let* ((beg (- (point) 5))
                 (diag (cl-find-if (lambda (d) (string-match-p "attribute-name-case" (flymake-diagnostic-text d))) (flymake-diagnostics)))
                 (actions (jsonrpc-request (eglot--current-server-or-lose) :textDocument/codeAction
                                           (list :textDocument (eglot--TextDocumentIdentifier)
                                                 :range (list :start (eglot--pos-to-lsp-position beg) :end (eglot--pos-to-lsp-position (+ beg 4)))
                                                 :context (list :diagnostics (vector (cdr (assoc (quote eglot-lsp-diag) (eglot--diag-data diag)))) :only ["quickfix"]))))
                 (rename (cl-find-if (lambda (a) (string-prefix-p "zcsec: Rename" (plist-get a :title))) (append actions nil))))
            (push (cons 'actions (vconcat (mapcar (lambda (a) (plist-get a :title)) (append actions nil)))) out)
            (when rename
              (eglot--apply-workspace-edit (plist-get rename :edit))
              (push (cons 'after (buffer-substring-no-properties (line-beginning-position) (line-end-position))) out))))
        ;; Completion after "<" on a new line of server.xml, as a user types it.
        (with-current-buffer (find-file-noselect (getenv "ZCSEC_PROBE_MAIN"))
          (goto-char (point-min))
          (search-forward "</featureManager>")
          (end-of-line)
          (insert "\n    <zosconnect_ci")
          (let* ((deadline (+ (float-time) 5)))
            (while (< (float-time) deadline) (accept-process-output nil 0.05)))
          (let* ((capf (eglot-completion-at-point))
                 (table (nth 2 capf))
                 (prefix (buffer-substring-no-properties (nth 0 capf) (nth 1 capf)))
                 (cands (all-completions prefix table)))
            (push (cons 'prefix prefix) out)
            (push (cons 'completion (vconcat (mapcar #'substring-no-properties cands))) out))))
    (error (push (cons 'error (format "%S" err)) out)))
  (with-temp-file (getenv "ZCSEC_PROBE_OUT")
    (insert (json-encode out)))
  (kill-emacs 0))
