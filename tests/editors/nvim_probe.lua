-- Drives Neovim (headless) with editors/neovim/zcsec.lua loaded: opens the
-- files given in ZCSEC_PROBE_FILES, waits for zcsec's diagnostics, asks for
-- hover, completion and code actions, applies a quick fix, and writes what
-- it saw as JSON to ZCSEC_PROBE_OUT.  tests/editors/test_neovim.py reads it.
local out = {}
local function finish()
  local f = assert(io.open(vim.env.ZCSEC_PROBE_OUT, "w"))
  f:write(vim.json.encode(out))
  f:close()
  vim.cmd("qa!")
end

local ok, err = pcall(function()
  out.files = {}
  for path in string.gmatch(vim.env.ZCSEC_PROBE_FILES, "[^;]+") do
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
    local clients = vim.lsp.get_clients({ bufnr = buf, name = "zcsec" })
    local entry = { path = path, filetype = vim.bo[buf].filetype, clients = #clients, diagnostics = {} }
    if #clients > 0 then
      entry.root = clients[1].config.root_dir
      entry.encoding = clients[1].offset_encoding
    end
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local line = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1] or ""
      table.insert(entry.diagnostics, { code = d.code, lnum = d.lnum, col = d.col, at = string.sub(line, d.col + 1, d.end_col), message = d.message })
    end
    out.files[#out.files + 1] = entry
  end

  -- Hover and completion on the first file, at the places the test names.
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.ZCSEC_PROBE_MAIN))
  local buf = vim.api.nvim_get_current_buf()
  local client = vim.lsp.get_clients({ bufnr = buf, name = "zcsec" })[1]
  local function at(needle, delta)
    for lnum, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      local col = string.find(line, needle, 1, true)
      if col then
        -- LSP positions in the client's encoding, as Neovim computes them.
        local char = vim.str_utfindex(line, client.offset_encoding, col - 1 + (delta or 0))
        return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = lnum - 1, character = char } }
      end
    end
  end
  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", at("zosconnect_cicsIpicConnection", 3), 10000)
  out.hover = hover and hover[client.id] and hover[client.id].result and hover[client.id].result.contents.value or ""
  local items = vim.lsp.buf_request_sync(buf, "textDocument/completion", at(' authDataRef="cred"', 1), 10000)
  out.completion = {}
  local result = items and items[client.id] and items[client.id].result or {}
  for _, item in ipairs(result.items or result) do table.insert(out.completion, item.label) end

  -- The quick fix of attribute-name-case, applied through Neovim's own edit code.
  local diags = vim.lsp.diagnostic.from(vim.diagnostic.get(buf))
  local wanted
  for _, d in ipairs(diags) do if d.code == "attribute-name-case" then wanted = d end end
  local actions = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(buf) }, range = wanted.range, context = { diagnostics = { wanted }, only = { "quickfix" } },
  }, 10000)
  out.actions = {}
  for _, a in ipairs(actions[client.id].result or {}) do
    table.insert(out.actions, a.title)
    if a.title:find("Change", 1, true) or a.title:find("Rename", 1, true) or a.title:find("spelling", 1, true) then
      if not out.applied then
        vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding)
        out.applied = a.title
      end
    end
  end
  out.after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end)
if not ok then out.error = tostring(err) end
finish()
