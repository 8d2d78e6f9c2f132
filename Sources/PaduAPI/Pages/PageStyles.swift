// The pages' stylesheet: the dashboard's, plus forms, the menu, status badges and tables that
// become stacked cards below 640 px. Badge text is #1a1a1a or white on colours of 4.5:1 or
// more; the focus outline of the dashboard stays.

enum PageStyles {
    static let css =
        DashboardStyles.css + """

            .brand{margin:0;font-size:1.1rem}
            .site-nav{background:#eef2f7;border-bottom:1px solid #c4cad3}
            .site-nav ul{list-style:none;margin:0 auto;padding:.25rem 1rem;max-width:1200px;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
            .site-nav a{display:inline-block;padding:.4rem .25rem;color:#1f3a5f;font-weight:600}
            .site-nav a[aria-current=page]{text-decoration:underline;text-decoration-thickness:3px}
            textarea{font:inherit;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem;width:100%;
            min-height:8rem;border:1px solid #595959;border-radius:4px;padding:.5rem;color:#1a1a1a;background:#fff}
            input[type=file]{max-width:100%}
            .form{display:grid;gap:.4rem;max-width:44rem;margin:0 0 1rem}
            .form .row{display:flex;flex-wrap:wrap;gap:.75rem}
            .form .row>div{display:grid;gap:.25rem}
            .hint{color:#4a4a4a;font-size:.9rem;margin:0}
            .actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}
            button.secondary{background:#fff;color:#1f5f99}
            button.danger{background:#a61b1b;border-color:#a61b1b}
            .notice{border:2px solid #1b6e3a;background:#eef8f1;color:#0f4a26;padding:.5rem .75rem;border-radius:4px}
            .problem{color:#a61b1b;font-weight:600;margin:.25rem 0}
            .problems{margin:.25rem 0 .75rem;padding-left:1.25rem;color:#7a1010}
            .badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-size:.85rem;font-weight:600;
            border:1px solid #1a1a1a;background:#fff;color:#1a1a1a;margin:0 .25rem .25rem 0}
            .flag{background:#fff4e5;border-color:#8a4500;color:#5c2e00}
            .f{display:inline-block;padding:0 .3rem;border:1px solid #8a4500;background:#fff4e5;color:#5c2e00;
            border-radius:3px;font-size:.8rem;font-weight:700;margin:0 .2rem .1rem 0}
            table.lines th,table.lines td{padding:.3rem .45rem}
            table.lines label{font-weight:400;white-space:nowrap;margin-right:.4rem}
            table.lines input:not([type]){width:9rem;max-width:100%;min-height:auto;padding:.2rem .3rem}
            .legend{margin:.5rem 0;font-size:.9rem}.legend dl{display:flex;flex-wrap:wrap;gap:.1rem 1rem;margin:.25rem 0}
            .legend dt,.legend dd{display:inline;margin:0 .25rem 0 0}
            .pager{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:.5rem 0}
            .status-draft{background:#f0f0f0}
            .status-submitted{background:#e8eef5;border-color:#1f3a5f}
            .status-approved{background:#1b6e3a;border-color:#1b6e3a;color:#fff}
            .status-rejected{background:#a61b1b;border-color:#a61b1b;color:#fff}
            .status-pending{background:#f0f0f0}
            .id{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
            ul.plain{list-style:none;padding:0;margin:0}
            fieldset{border:1px solid #c4cad3;border-radius:4px;margin:.25rem 0;padding:.25rem .5rem}
            legend{font-weight:600;font-size:.9rem}
            fieldset label{font-weight:400;margin-right:.75rem;white-space:nowrap}
            input[type=radio],input[type=checkbox]{min-height:auto;width:1.1rem;height:1.1rem;vertical-align:-.15rem}
            td input[type=text]{width:100%}
            @media (max-width:640px){
            table.stack{min-width:0}
            table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
            table.stack tr{display:block;border:1px solid #c4cad3;border-radius:6px;margin:0 0 .75rem;padding:.25rem .5rem}
            table.stack td{display:grid;grid-template-columns:6.5rem minmax(0,1fr);gap:.5rem;border:0;padding:.2rem 0}
            table.stack td::before{content:attr(data-label);font-size:.85rem;color:#4a4a4a;font-weight:600}
            table.stack td.num{text-align:left}
            table.lines{min-width:0}
            table.lines thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
            table.lines tr{display:block;border:1px solid #c4cad3;border-radius:6px;margin:0 0 .5rem;padding:.25rem .5rem}
            table.lines td{display:block;border:0;padding:.1rem 0;text-align:left}
            table.lines td::before{content:attr(data-label) ": ";font-weight:600;color:#4a4a4a}
            }
            @media print{.site-nav,.user form,.actions{display:none}}
            """
}
