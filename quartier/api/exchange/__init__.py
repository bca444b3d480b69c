"""People imports and exports. `layouts`: the fields an import fills and the export layouts of other
tools recognised by their headers; `people_import`: the job that loads a file; `import_files`: the
file's life in private storage; `exports`: CSV and JSON streamed in constant memory; `views`/`forms`:
the staff pages."""
