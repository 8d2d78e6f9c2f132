// The one inline stylesheet. System fonts only, no external assets. Text is #1a1a1a on white
// (17.4:1); muted text #4a4a4a (8.9:1); white on the header #1f3a5f (11.6:1) and on buttons
// #1f5f99 (6.6:1). Focus outlines are 3px and always visible for keyboard users.

enum DashboardStyles {
    static let css = """
        *,*::before,*::after{box-sizing:border-box}
        html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
        font-size:100%;line-height:1.5;color:#1a1a1a;background:#fff}
        body{margin:0}
        h1,h2,h3{line-height:1.25}
        h1{font-size:1.5rem;margin:0 0 .25rem}
        h2{font-size:1.25rem;margin:0 0 .75rem}
        p{margin:.5rem 0}
        .skip{position:absolute;left:-9999px;top:0;background:#fff;color:#1a1a1a;padding:.5rem 1rem}
        .skip:focus{left:.5rem;top:.5rem;z-index:10}
        a{color:#1f5f99}
        :focus-visible{outline:3px solid #b35900;outline-offset:2px}
        .site-header{background:#1f3a5f;color:#fff;padding:1rem}
        .site-header :focus-visible{outline-color:#ffd27f}
        .wrap{max-width:1200px;margin:0 auto}
        .site-header .wrap{display:flex;flex-wrap:wrap;gap:.75rem 1.5rem;align-items:flex-end;
        justify-content:space-between}
        .meta{margin:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
        .user{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
        .user form{margin:0}
        main{display:block;max-width:1200px;margin:0 auto;padding:1rem}
        section{margin:0 0 2rem;padding-top:.5rem;border-top:1px solid #d0d5dc}
        section:first-of-type{border-top:0}
        label{font-weight:600}
        select,input{font:inherit;color:#1a1a1a;background:#fff;border:1px solid #595959;border-radius:4px;
        padding:.4rem .5rem;min-height:2.5rem}
        button{font:inherit;font-weight:600;color:#fff;background:#1f5f99;border:2px solid #1f5f99;
        border-radius:4px;padding:.4rem 1rem;min-height:2.5rem;cursor:pointer}
        button:hover{background:#174a78;border-color:#174a78}
        .site-header button{background:#fff;color:#1f3a5f;border-color:#fff}
        .site-header button:hover{background:#e8eef5}
        .year-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10.5rem,1fr));gap:.75rem;margin:0;padding:0}
        .card{border:1px solid #c4cad3;border-left:4px solid #1f5f99;border-radius:6px;padding:.6rem .75rem;margin:0;
        min-width:0}
        .card dt{font-size:.875rem;color:#4a4a4a}
        .card dd{margin:0;font-size:1.375rem;font-weight:700;line-height:1.3}
        .figure{white-space:nowrap;display:inline-block}
        .note{color:#4a4a4a;font-size:.875rem}
        .grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:0 2rem}
        .grid2>section{min-width:0}
        .print-link{margin-left:auto;font-weight:600}
        svg.meter{display:inline-block;vertical-align:middle;margin-right:.4rem}
        .status{font-weight:600;white-space:nowrap}
        .status.ok{color:#1d6b36}
        .status.late{color:#8a3b00}
        .chart-box{max-width:560px;margin:0 0 .5rem}
        svg.chart{display:block;width:100%;height:auto}
        svg.chart text{font-family:inherit}
        .legend{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;margin:.5rem 0;padding:0}
        .swatch{display:inline-block;width:1rem;height:1rem;margin-right:.4rem;vertical-align:-.15rem;
        border:1px solid #1a1a1a}
        .swatch-primary{background:#1f5f99}
        .swatch-secondary{background:#b35900}
        .table-wrap{overflow-x:auto;max-width:100%;margin:0 0 1rem}
        table{border-collapse:collapse;width:100%;min-width:36rem}
        caption{text-align:left;font-weight:600;padding:0 0 .4rem}
        th,td{padding:.45rem .6rem;border-bottom:1px solid #c4cad3;text-align:left;vertical-align:top}
        thead th{border-bottom:2px solid #1a1a1a}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:.5rem 1rem;margin:0}
        .facts div{margin:0}
        .facts dt{color:#4a4a4a;font-size:.875rem}
        .facts dd{margin:0;font-weight:700}
        .empty{color:#4a4a4a;font-style:italic}
        .error{border:2px solid #a61b1b;background:#fdf2f2;color:#7a1010;padding:.5rem .75rem;border-radius:4px}
        .login{max-width:24rem;margin:2rem auto;padding:1rem}
        .login form{display:grid;gap:.4rem}
        .login button{margin-top:.75rem}
        .site-footer{max-width:1200px;margin:0 auto;padding:1rem;color:#4a4a4a;font-size:.875rem}
        .visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;
        clip:rect(0 0 0 0);white-space:nowrap;border:0}
        .stack table{min-width:0}
        .compact table{font-size:.875rem}
        .compact th,.compact td{padding:.35rem .4rem}
        @media (max-width:600px){
        .stack table,.stack tbody,.stack tr,.stack th,.stack td{display:block;width:100%}
        .stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
        .stack tr{border-bottom:2px solid #c4cad3;padding:.3rem 0}
        .stack caption{display:block;width:100%}
        .stack th,.stack td{border:0;padding:0 .25rem;line-height:1.4}
        .stack td{display:flex;justify-content:space-between;gap:1rem;text-align:right}
        .stack td::before{content:attr(data-label);color:#4a4a4a;text-align:left;font-weight:400}
        .print-link{margin-left:0}}
        @media (max-width:480px){main{padding:.75rem}h1{font-size:1.25rem}.card dd{font-size:1.125rem}
        .cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
        @media (forced-colors:active){.swatch{forced-color-adjust:none}}
        """

    /// The meeting pack: A4 pages, each agency on a new page, rows and headings never cut.
    static let printCSS = """

        .rakor h3{font-size:1.05rem;margin:1rem 0 .4rem}
        .rakor h4{font-size:1rem;margin:.5rem 0 .2rem}
        .narrative{border-left:3px solid #c4cad3;padding-left:.75rem;margin:0 0 .75rem}
        .story{white-space:pre-line;margin:.25rem 0}
        .toc{columns:2 18rem;margin:.25rem 0}
        @page{size:A4;margin:14mm 12mm}
        @media print{
        html{font-size:10.5pt}
        .site-header{background:none;color:#000;padding:0 0 .5rem;border-bottom:2px solid #000}
        .no-print,.skip,.user,.site-header form{display:none!important}
        main{max-width:none;padding:0}
        section{border-top:0}
        section.agency{break-before:page}
        tr,.narrative,.facts div{break-inside:avoid}
        h2,h3,h4,caption{break-after:avoid}
        .table-wrap{overflow:visible}
        table{min-width:0}
        a{color:#000;text-decoration:none}}
        """
}
