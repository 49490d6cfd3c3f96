;;; zcsec.el --- zcsec in Emacs with eglot  -*- lexical-binding: t -*-

;; Emacs 29 or newer has eglot built in.  On Emacs 28 install it first:
;; M-x package-install RET eglot RET (or the elpa-eglot package of your
;; distribution).  Load this file from your init file, and point ZCSEC at
;; the zcsec executable or write its path below.

(require 'cl-lib)
(require 'project)
(require 'eglot)

(defvar zcsec-program (or (getenv "ZCSEC") "/path/to/zcsec/.venv/bin/zcsec")
  "The zcsec executable.")

;; CSD input: .csd and .rdo files, and DFHCSDUP jobs (.jcl).
(define-derived-mode csd-mode prog-mode "CSD"
  "DFHCSDUP input: CICS resource definitions.")
(add-to-list 'auto-mode-alist '("\\.\\(csd\\|rdo\\|jcl\\)\\'" . csd-mode))

;; A project is the nearest folder with .zcsec.toml, so that server.xml and
;; the CSD files beside it share one server, with or without version control.
(defun zcsec-project (dir)
  "The zcsec project of DIR: the nearest folder holding .zcsec.toml."
  (let ((root (locate-dominating-file dir ".zcsec.toml")))
    (and root (cons 'zcsec root))))
(cl-defmethod project-root ((project (head zcsec)))
  (cdr project))
(add-hook 'project-find-functions #'zcsec-project)

(add-to-list 'eglot-server-programs `((nxml-mode csd-mode) . (,zcsec-program "serve")))
(add-hook 'nxml-mode-hook #'eglot-ensure)
(add-hook 'csd-mode-hook #'eglot-ensure)

(provide 'zcsec)
;;; zcsec.el ends here
