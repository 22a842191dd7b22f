// esbuild bundles CSS imports into screen.css; to tsc they are side-effect imports.
declare module "*.css";
