-- zcsec in Neovim 0.10 or newer (vim.lsp.start and vim.fs.root).
-- Put this file in your config (for example ~/.config/nvim/plugin/zcsec.lua) and
-- point ZCSEC at the zcsec executable, or write its path below.
local zcsec = vim.env.ZCSEC or "/path/to/zcsec/.venv/bin/zcsec"

-- CSD input: .csd and .rdo files, and DFHCSDUP jobs (.jcl).
vim.filetype.add({ extension = { csd = "csd", rdo = "csd", jcl = "jcl" } })

vim.api.nvim_create_autocmd("FileType", {
  pattern = { "xml", "csd", "jcl" },
  callback = function(args)
    -- The project is found from the file, not from Neovim's working directory:
    -- the nearest folder with .zcsec.toml (or .git), else the file's own folder.
    local file = vim.api.nvim_buf_get_name(args.buf)
    local root = vim.fs.root(args.buf, { ".zcsec.toml", ".git" }) or vim.fs.dirname(file)
    vim.lsp.start({
      name = "zcsec",
      cmd = { zcsec, "serve" },
      root_dir = root,
      init_options = { diagnosticsDelayMs = 150 },
    }, { bufnr = args.buf })
  end,
})
